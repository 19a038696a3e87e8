/**
 * Text engine benchmark, one run, same model, prompt, threads and greedy settings:
 *   1. Shenbi's engine (LanguageModelV3.doStream, what every caller of the engine gets) vs
 *      node-llama-cpp called directly (LlamaCompletion on a one-sequence context): tok/s, TTFT.
 *   2. The same through the AI SDK's streamText, to show what the SDK layer itself costs.
 *   3. Aggregate tok/s of 4 concurrent streams vs 1 on one model load.
 * Run: npm run bench:text   (env: RUNS, TOKENS)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { streamText } from 'ai';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
import { createLlamaCppProvider } from '../src/engines/llama-cpp/provider.ts';

const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../shared/testdata/', import.meta.url));
const MODEL = join(TESTDATA, 'stories260K.gguf');
const PROMPT = 'Once upon a time';
const TOKENS = Number(process.env.TOKENS ?? 128);
const RUNS = Number(process.env.RUNS ?? 9);
const THREADS = 1;

interface Run { tps: number; ttftMs: number }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summarize = (runs: Run[]): Run => ({ tps: median(runs.map((r) => r.tps)), ttftMs: median(runs.map((r) => r.ttftMs)) });

/** node-llama-cpp on its own: `concurrency` completions on one context with as many sequences. */
async function direct(concurrency: number): Promise<Run> {
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: MODEL });
  const context = await model.createContext({ threads: THREADS, sequences: concurrency });
  const runs: Run[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const start = performance.now();
    const out = await Promise.all(Array.from({ length: concurrency }, async () => {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      let first = 0;
      let n = 0;
      await completion.generateCompletion(PROMPT, { maxTokens: TOKENS, temperature: 0, onTextChunk: () => { if (!first) first = performance.now(); }, onToken: (t) => { n += t.length; } });
      completion.dispose({ disposeSequence: true });
      return { first, n };
    }));
    const end = performance.now();
    // Disposed sequences return to the context asynchronously; let them before the next round.
    await new Promise((r) => setTimeout(r, 20));
    if (i > 0) runs.push({ tps: out.reduce((s, o) => s + o.n, 0) / ((end - start) / 1000), ttftMs: median(out.map((o) => o.first - start)) });
  }
  await context.dispose();
  await model.dispose();
  return summarize(runs);
}

/** One request through the engine's own interface: time to the first text delta, tokens from usage. */
async function viaEngine(model: LanguageModelV3): Promise<{ first: number; tokens: number }> {
  const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }], temperature: 0, maxOutputTokens: TOKENS });
  let first = 0;
  let tokens = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.type === 'text-delta' && !first) first = performance.now();
    if (value.type === 'finish') tokens = value.usage.outputTokens.total ?? 0;
  }
  return { first, tokens };
}

async function viaStreamText(model: LanguageModelV3): Promise<{ first: number; tokens: number }> {
  const result = streamText({ model, prompt: PROMPT, temperature: 0, maxOutputTokens: TOKENS });
  let first = 0;
  for await (const _ of result.textStream) if (!first) first = performance.now();
  return { first, tokens: (await result.usage).outputTokens ?? 0 };
}

async function shenbi(concurrency: number, call: typeof viaEngine): Promise<Run> {
  const provider = createLlamaCppProvider({ threads: THREADS });
  const model = provider.languageModel(MODEL);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const start = performance.now();
    const out = await Promise.all(Array.from({ length: concurrency }, () => call(model)));
    const end = performance.now();
    const tokens = out.reduce((s, o) => s + o.tokens, 0);
    if (i > 0) runs.push({ tps: tokens / ((end - start) / 1000), ttftMs: median(out.map((o) => o.first - start)) });
  }
  await provider.close();
  return summarize(runs);
}

// Interleave the contenders so drift in machine load hits both alike.
const d: Run[] = [];
const d4: Run[] = [];
const e1: Run[] = [];
const s1: Run[] = [];
const e4: Run[] = [];
for (let round = 0; round < 3; round++) {
  d.push(await direct(1));
  d4.push(await direct(4));
  e1.push(await shenbi(1, viaEngine));
  s1.push(await shenbi(1, viaStreamText));
  e4.push(await shenbi(4, viaEngine));
}
const D = summarize(d);
const D4 = summarize(d4);
const E1 = summarize(e1);
const S1 = summarize(s1);
const E4 = summarize(e4);
const f = (x: number) => x.toFixed(1);
console.log(`stories260K, ${TOKENS} tokens greedy, threads ${THREADS}, median of 3 rounds × ${RUNS} runs\n`);
console.log('| measure | Shenbi | node-llama-cpp direct | ratio | target |');
console.log('|---|---|---|---|---|');
console.log(`| tok/s, engine (doStream) | ${f(E1.tps)} | ${f(D.tps)} | ${(E1.tps / D.tps).toFixed(2)} | ≥ 0.97 |`);
console.log(`| TTFT ms, engine (doStream); ratio = direct/Shenbi | ${f(E1.ttftMs)} | ${f(D.ttftMs)} | ${(D.ttftMs / E1.ttftMs).toFixed(2)} | ≥ 0.97 |`);
console.log(`| tok/s, through AI SDK streamText | ${f(S1.tps)} | ${f(D.tps)} | ${(S1.tps / D.tps).toFixed(2)} | (SDK cost, info) |`);
console.log(`| TTFT ms, through AI SDK streamText | ${f(S1.ttftMs)} | ${f(D.ttftMs)} | ${(D.ttftMs / S1.ttftMs).toFixed(2)} | (SDK cost, info) |`);
console.log(`| aggregate tok/s, 4 streams vs 1 (engine) | ${f(E4.tps)} | ${f(E1.tps)} (1 stream) | ${(E4.tps / E1.tps).toFixed(2)} | ≥ 1.5 |`);
console.log(`| reference: node-llama-cpp direct, 4 streams vs 1 | ${f(D4.tps)} | ${f(D.tps)} (1 stream) | ${(D4.tps / D.tps).toFixed(2)} | (library ceiling) |`);
console.log(`| aggregate tok/s, 4 streams: engine vs direct | ${f(E4.tps)} | ${f(D4.tps)} | ${(E4.tps / D4.tps).toFixed(2)} | ≥ 0.97 |`);
