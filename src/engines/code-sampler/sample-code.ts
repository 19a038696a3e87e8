/**
 * AlphaCode style: sample K programs from any LanguageModel, run each on the user's
 * examples in the QuickJS sandbox, and rank by examples passed (ties: shorter, faster).
 */
import { isDeepStrictEqual } from 'node:util';
import { generateText, type LanguageModel } from 'ai';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { runInSandbox, SANDBOX_LIMITS, sandboxBudgetProblem, sandboxMemoryBytes, sandboxTimeoutMs } from '../quickjs-sandbox/index.ts';
import { extractCode, findEntry } from './extract-code.ts';

export const CodeExample = z.object({ input: z.array(z.unknown()), output: z.unknown() });
export type CodeExample = z.infer<typeof CodeExample>;

export const SampleCodeInput = z
  .object({
    task: z.string().min(1),
    /** `input` is the argument list for the function. */
    examples: z.array(CodeExample).min(1).max(SANDBOX_LIMITS.maxExamples),
    k: z.number().int().min(1).max(SANDBOX_LIMITS.maxSamples),
    temperature: z.number().gt(0).optional(),
    seed: z.number().int().optional(),
    /** Per run (one candidate on one example). */
    timeoutMs: sandboxTimeoutMs.optional(),
    /** Guest heap per run. */
    memoryBytes: sandboxMemoryBytes.optional(),
  })
  .superRefine((input, ctx) => {
    // Every candidate may run on every example for its whole timeout.
    const problem = sandboxBudgetProblem(input.examples.length * input.k, input.timeoutMs ?? SANDBOX_LIMITS.defaultTimeoutMs);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['timeoutMs'] });
  });
export type SampleCodeInput = z.infer<typeof SampleCodeInput>;

export interface CandidateFailure {
  readonly example: CodeExample;
  readonly expected: unknown;
  readonly got?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface CandidateReport {
  readonly index: number;
  readonly code: string;
  readonly passed: number;
  readonly total: number;
  readonly durationMs: number;
  readonly failures: CandidateFailure[];
}

export interface SampleCodeResult {
  readonly best: CandidateReport | undefined;
  /** Unique candidates, ranked best first. */
  readonly candidates: CandidateReport[];
  readonly duplicates: number;
}

const SYSTEM = 'You write JavaScript. Reply with a single self-contained function in one ```js fenced block, no imports, no I/O.';

interface RunLimits {
  readonly timeoutMs: number;
  readonly memoryBytes: number | undefined;
  readonly signal: AbortSignal | undefined;
}

async function evaluateCandidate(index: number, code: string, examples: CodeExample[], limits: RunLimits): Promise<CandidateReport> {
  const failures: CandidateFailure[] = [];
  let durationMs = 0;
  const entry = findEntry(code);
  for (const example of examples) {
    if (entry === undefined) {
      failures.push({ example, expected: example.output, error: { code: 'SANDBOX_ERROR', message: 'no function found' } });
      continue;
    }
    const { timeoutMs, memoryBytes, signal } = limits;
    const run = await runInSandbox({ code, entry, args: example.input, timeoutMs, ...(memoryBytes === undefined ? {} : { memoryBytes }) }, signal === undefined ? {} : { signal });
    durationMs += run.durationMs;
    if (!run.ok) failures.push({ example, expected: example.output, error: run.error });
    else if (!isDeepStrictEqual(run.value, example.output)) failures.push({ example, expected: example.output, got: run.value });
  }
  return { index, code, passed: examples.length - failures.length, total: examples.length, durationMs, failures };
}

export async function sampleCode(model: LanguageModel, input: SampleCodeInput, abortSignal?: AbortSignal): Promise<SampleCodeResult> {
  const { task, examples, k, temperature, seed, timeoutMs, memoryBytes } = parseOrThrow(SampleCodeInput, input, 'code sampling input');
  const shown = examples.map((e) => `${JSON.stringify(e.input)} -> ${JSON.stringify(e.output)}`).join('\n');
  const prompt = `${task}\n\nExamples (arguments -> result):\n${shown}`;
  const seen = new Set<string>();
  const candidates: CandidateReport[] = [];
  let duplicates = 0;
  // Sequential: local engines serve one request at a time, and the abort check is per sample.
  for (let i = 0; i < k; i++) {
    if (abortSignal?.aborted) throw new ShenbiError('JOB_CANCELLED', 'code sampling was cancelled');
    const { text } = await generateText({ model, system: SYSTEM, prompt, temperature: temperature ?? 0.8, seed: (seed ?? 0) + i, maxOutputTokens: 1024, maxRetries: 0, abortSignal });
    const code = extractCode(text);
    if (seen.has(code)) {
      duplicates++;
      continue;
    }
    seen.add(code);
    const limits: RunLimits = { timeoutMs: timeoutMs ?? SANDBOX_LIMITS.defaultTimeoutMs, memoryBytes, signal: abortSignal };
    candidates.push(await evaluateCandidate(i, code, examples, limits));
  }
  candidates.sort((a, b) => b.passed - a.passed || a.code.length - b.code.length || a.durationMs - b.durationMs);
  return { best: candidates[0], candidates, duplicates };
}
