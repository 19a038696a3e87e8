/** Minerva-style: ask any LanguageModel for a LaTeX solution ending in \boxed{}, then check it. */
import { generateText, type LanguageModel } from 'ai';
import { z } from 'zod';
import { checkAnswer, type AnswerCheck } from './check-answer.ts';
import { extractBoxed } from './latex.ts';

export const SolveMathInput = z.object({
  question: z.string().min(1),
  /** mathjs expression computing the expected answer independently, e.g. "1/3". */
  check: z.string().min(1).optional(),
  tolerance: z.number().positive().optional(),
  temperature: z.number().min(0).optional(),
});
export type SolveMathInput = z.infer<typeof SolveMathInput>;

export interface SolveMathResult {
  readonly latex: string;
  readonly answer: string | undefined;
  readonly check: AnswerCheck;
}

const SYSTEM = 'Solve the problem step by step in LaTeX. End with the final answer as \\boxed{answer}.';

export async function solveMath(model: LanguageModel, input: SolveMathInput, abortSignal?: AbortSignal): Promise<SolveMathResult> {
  const { question, check, tolerance, temperature } = SolveMathInput.parse(input);
  const { text } = await generateText({ model, system: SYSTEM, prompt: question, temperature: temperature ?? 0, maxOutputTokens: 1024, maxRetries: 0, abortSignal });
  const answer = extractBoxed(text);
  if (answer === undefined) return { latex: text, answer, check: { status: 'mismatch', detail: 'no \\boxed{} answer in the solution' } };
  return { latex: text, answer, check: checkAnswer(answer, check, tolerance) };
}
