/**
 * Text engine benchmark: Shenbi (streamText over the llama-cpp engine) vs node-llama-cpp directly,
 * same model, prompt and threads; then 4 concurrent streams vs 1.
 * Run: node --import tsx bench/text.ts
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamText } from 'ai';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
import { createLlamaCppProvider } from '../src/engines/llama-cpp/provider.ts';

const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../shared/testdata/', import.meta.url));
const MODEL = join(TESTDATA, 'stories260K.gguf');
const PROMPT = 'Once upon a time';
const TOKENS = 128;
const RUNS = 5;
const THREADS = 1;

interface Run { tps: number; ttftMs: number }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function direct(): Promise<Run> {
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: MODEL });
  const context = await model.createContext({ threads: THREADS });
  const runs: Run[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const start = performance.now();
    let first = 0;
    let n = 0;
    await completion.generateCompletion(PROMPT, { maxTokens: TOKENS, temperature: 0, onToken: (t) => { if (!first) first = performance.now(); n += t.length; } });
    const end = performance.now();
    completion.dispose({ disposeSequence: true });
    if (i > 0) runs.push({ tps: n / ((end - start) / 1000), ttftMs: first - start });
  }
  await context.dispose();
  await model.dispose();
  return { tps: median(runs.map((r) => r.tps)), ttftMs: median(runs.map((r) => r.ttftMs)) };
}

async function shenbi(concurrency: number): Promise<Run> {
  const provider = createLlamaCppProvider({ threads: THREADS, sequences: Number(process.env.SEQ ?? 8) });
  const model = provider.languageModel(MODEL);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const start = performance.now();
    const out = await Promise.all(Array.from({ length: concurrency }, async () => {
      const result = streamText({ model, prompt: PROMPT, temperature: 0, maxOutputTokens: TOKENS });
      let first = 0;
      for await (const _ of result.textStream) if (!first) first = performance.now();
      return { first, tokens: (await result.usage).outputTokens ?? 0 };
    }));
    const end = performance.now();
    const tokens = out.reduce((s, o) => s + o.tokens, 0);
    if (i > 0) runs.push({ tps: tokens / ((end - start) / 1000), ttftMs: median(out.map((o) => o.first - start)) });
  }
  await provider.close();
  return { tps: median(runs.map((r) => r.tps)), ttftMs: median(runs.map((r) => r.ttftMs)) };
}

const d = await direct();
const s1 = await shenbi(1);
const s4 = await shenbi(4);
const f = (x: number) => x.toFixed(1);
console.log(`stories260K, ${TOKENS} tokens greedy, threads ${THREADS}, median of ${RUNS}\n`);
console.log('| measure | value | reference | ratio | target |');
console.log('|---|---|---|---|---|');
console.log(`| tok/s Shenbi streamText vs node-llama-cpp | ${f(s1.tps)} | ${f(d.tps)} | ${(s1.tps / d.tps).toFixed(2)} | ≥ 0.97 |`);
console.log(`| TTFT ms Shenbi vs node-llama-cpp | ${f(s1.ttftMs)} | ${f(d.ttftMs)} | ${(s1.ttftMs / d.ttftMs).toFixed(2)} | – |`);
console.log(`| aggregate tok/s 4 streams vs 1 | ${f(s4.tps)} | ${f(s1.tps)} | ${(s4.tps / s1.tps).toFixed(2)} | ≥ 1.5 |`);
