export { parseMotionPrompt, type ParsedMotionPrompt } from './parse-prompt.ts';
export { ACTION_WORDS, vocabularyList } from './vocabulary.ts';
export { textToPlan, type TextToPlanOptions, type TextToPlanResult } from './text-to-plan.ts';
