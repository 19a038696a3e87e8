export { extractBoxed, latexToMathjs } from './latex.ts';
export { checkAnswer, type AnswerCheck, type CheckStatus } from './check-answer.ts';
export { solveMath, SolveMathInput, type SolveMathResult } from './solve-math.ts';
