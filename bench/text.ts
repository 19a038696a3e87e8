/**
 * Text engine benchmark, one run, same model, prompt, threads and greedy settings:
 *   1. One stream through Shenbi's engine (LanguageModelV3.doStream, what every caller of the
 *      engine gets) vs node-llama-cpp called directly (LlamaCompletion on a one-sequence
 *      context): tok/s and time to first token. Paired: each round runs both, in alternating
 *      order, and the ratio is the median of the per-round ratios, so drift in machine load
 *      hits both alike.
 *   2. The same through the AI SDK's streamText, to show what the SDK layer itself costs.
 *   3. Aggregate tok/s of 4 concurrent streams vs 1 on one model load, against node-llama-cpp
 *      directly two ways: one context with 4 sequences (its documented way) and 4 contexts
 *      (the lanes Shenbi uses).
 * Run: npm run bench:text   (env: ROUNDS, TOKENS)
 */
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { streamText } from 'ai';
import { getLlama, LlamaCompletion, type LlamaContext } from 'node-llama-cpp';
import { createLlamaCppProvider } from '../src/engines/llama-cpp/provider.ts';

const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../shared/testdata/', import.meta.url));
const MODEL = join(TESTDATA, 'stories260K.gguf');
const PROMPT = 'Once upon a time';
const TOKENS = Number(process.env.TOKENS ?? 128);
const ROUNDS = Number(process.env.ROUNDS ?? 40);
const THREADS = 1;
const CORES = os.availableParallelism();

interface Stream { first: number; tokens: number }
interface Run { tps: number; ttftMs: number }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `concurrency` streams at once; tok/s over all of them, median time to first token. */
async function timed(concurrency: number, one: (i: number) => Promise<Stream>): Promise<Run> {
  const start = performance.now();
  const out = await Promise.all(Array.from({ length: concurrency }, (_, i) => one(i)));
  const end = performance.now();
  return { tps: out.reduce((s, o) => s + o.tokens, 0) / ((end - start) / 1000), ttftMs: median(out.map((o) => o.first - start)) };
}

// node-llama-cpp on its own, with the same backend settings as Shenbi's pool.
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: CORES });
const directModel = await llama.loadModel({ modelPath: MODEL });
const oneContext = await directModel.createContext({ threads: THREADS, sequences: 1 });
const batchContext = await directModel.createContext({ threads: THREADS, sequences: 4 });
const laneContexts = await Promise.all(Array.from({ length: 4 }, () => directModel.createContext({ threads: THREADS, sequences: 1 })));

async function direct(context: LlamaContext): Promise<Stream> {
  const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
  let first = 0;
  let tokens = 0;
  await completion.generateCompletion(PROMPT, {
    maxTokens: TOKENS,
    temperature: 0,
    onTextChunk: () => void (first ||= performance.now()),
    onToken: (t) => void (tokens += t.length),
  });
  completion.dispose({ disposeSequence: true });
  return { first, tokens };
}

/** One request through the engine's own interface: time to the first text delta, tokens from usage. */
async function viaEngine(model: LanguageModelV3): Promise<Stream> {
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

async function viaStreamText(model: LanguageModelV3): Promise<Stream> {
  const result = streamText({ model, prompt: PROMPT, temperature: 0, maxOutputTokens: TOKENS });
  let first = 0;
  for await (const _ of result.textStream) first ||= performance.now();
  return { first, tokens: (await result.usage).outputTokens ?? 0 };
}

const provider = createLlamaCppProvider({ threads: THREADS });
const engine = provider.languageModel(MODEL);
const lanes = await provider.pool.use(MODEL, async (pooled) => pooled.lanes.count);
/** Disposed sequences return to their context asynchronously; let them settle between runs. */
const settle = () => new Promise((r) => setTimeout(r, 10));

const contenders = {
  direct1: () => timed(1, () => direct(oneContext)),
  engine1: () => timed(1, () => viaEngine(engine)),
  sdk1: () => timed(1, () => viaStreamText(engine)),
  directBatch4: () => timed(4, () => direct(batchContext)),
  directLanes4: () => timed(4, (i) => direct(laneContexts[i]!)),
  engine4: () => timed(4, () => viaEngine(engine)),
} as const;
type Name = keyof typeof contenders;
const runs = Object.fromEntries(Object.keys(contenders).map((k) => [k, [] as Run[]])) as Record<Name, Run[]>;

const names = Object.keys(contenders) as Name[];
for (let round = -2; round < ROUNDS; round++) {
  // Rotate the order every round so no contender always runs first (or right after another).
  const order = names.map((_, i) => names[(i + round + names.length * 4) % names.length]!);
  for (const name of order) {
    const run = await contenders[name]();
    await settle();
    if (round >= 0) runs[name].push(run); // the first two rounds warm up
  }
}
await provider.close();
for (const context of [oneContext, batchContext, ...laneContexts]) await context.dispose();
await directModel.dispose();

const tps = (name: Name) => median(runs[name].map((r) => r.tps));
const ttft = (name: Name) => median(runs[name].map((r) => r.ttftMs));
/** Median of the per-round ratios a/b (paired, so slow rounds slow both sides). */
const pairedRatio = (a: Name, b: Name, of: (r: Run) => number) => median(runs[a].map((r, i) => of(r) / of(runs[b][i]!)));
const f = (x: number) => x.toFixed(1);
const r = (x: number) => x.toFixed(2);

console.log(`stories260K, ${TOKENS} tokens greedy, threads ${THREADS} per context, ${CORES} cores, Shenbi lanes ${lanes}; medians of ${ROUNDS} rounds\n`);
console.log('| measure | Shenbi | node-llama-cpp direct | ratio | target |');
console.log('|---|---|---|---|---|');
console.log(`| tok/s, 1 stream (engine doStream) | ${f(tps('engine1'))} | ${f(tps('direct1'))} | ${r(pairedRatio('engine1', 'direct1', (x) => x.tps))} | ≥ 0.97 |`);
console.log(`| TTFT ms, 1 stream; ratio = direct/Shenbi | ${f(ttft('engine1'))} | ${f(ttft('direct1'))} | ${r(pairedRatio('direct1', 'engine1', (x) => x.ttftMs))} | ≥ 0.97 |`);
console.log(`| tok/s, 1 stream through AI SDK streamText | ${f(tps('sdk1'))} | ${f(tps('direct1'))} | ${r(pairedRatio('sdk1', 'direct1', (x) => x.tps))} | (SDK cost, info) |`);
console.log(`| TTFT ms, through AI SDK streamText | ${f(ttft('sdk1'))} | ${f(ttft('direct1'))} | ${r(pairedRatio('direct1', 'sdk1', (x) => x.ttftMs))} | (SDK cost, info) |`);
console.log(`| aggregate tok/s, 4 streams vs 1 stream (engine) | ${f(tps('engine4'))} | ${f(tps('engine1'))} (1 stream) | ${r(pairedRatio('engine4', 'engine1', (x) => x.tps))} | ≥ 1.5 |`);
console.log(`| 4 streams: engine vs direct, one context × 4 sequences | ${f(tps('engine4'))} | ${f(tps('directBatch4'))} | ${r(pairedRatio('engine4', 'directBatch4', (x) => x.tps))} | (info) |`);
console.log(`| 4 streams: engine vs direct, 4 contexts (Shenbi's lanes) | ${f(tps('engine4'))} | ${f(tps('directLanes4'))} | ${r(pairedRatio('engine4', 'directLanes4', (x) => x.tps))} | ≥ 0.97 |`);
console.log(`| reference: direct 4 streams vs 1, one context × 4 sequences | ${f(tps('directBatch4'))} | ${f(tps('direct1'))} | ${r(pairedRatio('directBatch4', 'direct1', (x) => x.tps))} | (library's own batching) |`);
