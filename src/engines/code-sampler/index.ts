export { extractCode, findEntry } from './extract-code.ts';
export { sampleCode, SampleCodeInput, CodeExample, type CandidateReport, type CandidateFailure, type SampleCodeResult } from './sample-code.ts';
