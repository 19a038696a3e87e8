/**
 * Text serving over HTTP (issue #23), one run, same model (stories260K), prompt, greedy
 * settings and token limit everywhere:
 *   - Shenbi: `POST /v1/chat/completions`, streamed, from the official openai client in its
 *     own process (bench/server-chat-client.ts), 1 stream and 4 concurrent streams.
 *   - Anchor, always: node-llama-cpp in this process (LlamaCompletion, the call Shenbi's
 *     engine makes for this model; one-thread contexts, 1 stream on one context, 4 streams on
 *     4 contexts like Shenbi's lanes): raw tokens/s and time to first token, no HTTP at all.
 *   - Anchor, when LLAMA_SERVER=path/to/llama-server is given: llama.cpp's own server on the
 *     same model, driven by the same client process (docs/serving.md: how to build the
 *     version node-llama-cpp bundles). Extra flags: LLAMA_SERVER_ARGS.
 * Rounds alternate (the order rotates every round); tok/s and TTFT are medians, ratios are
 * medians of per-round ratios, so drift in machine load hits both sides of a ratio alike.
 * Run: npm run bench:serving   (env: ROUNDS, TOKENS (comma list), LLAMA_SERVER, LLAMA_SERVER_ARGS)
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaCompletion, type LlamaContext } from 'node-llama-cpp';
import { renderPlainPrompt } from '../src/engines/llama-cpp/prompt.ts';
import { startServer } from '../src/server/start.ts';
import { Shenbi } from '../src/shenbi.ts';
import { printTable } from './print-table.ts';

const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../shared/testdata/', import.meta.url));
const MODEL = join(TESTDATA, 'stories260K.gguf');
const PROMPT = 'Once upon a time';
const TOKEN_COUNTS = (process.env.TOKENS ?? '128,1000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const LLAMA_SERVER = process.env.LLAMA_SERVER;
const CORES = os.availableParallelism();
const STREAMS = 4;

interface Run { tps: number; ttftMs: number }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A client process that streams chat completions from one server and reports what it saw. */
async function chatClient(baseUrl: string, tokens: number, model: string) {
  const child = fork(fileURLToPath(new URL('./server-chat-client.ts', import.meta.url)), [baseUrl, String(tokens), model], { execArgv: ['--import', 'tsx'] });
  const replies: ((value: Run) => void)[] = [];
  child.on('message', (m: Run) => replies.shift()?.(m));
  await new Promise<Run>((resolve) => replies.push(resolve));
  return {
    run: (streams: number) =>
      new Promise<Run>((resolve) => {
        replies.push(resolve);
        child.send({ prompt: PROMPT, streams });
      }),
    close: () => child.kill(),
  };
}

// Shenbi, warm, in this process; its HTTP client in another.
const home = mkdtempSync(join(os.tmpdir(), 'shenbi-bench-serving-'));
const shenbi = await Shenbi.open({ overrides: { home }, env: { ...process.env, SHENBI_TEXT_MODEL: 'stories260k' } });
await shenbi.models.importFile(MODEL, { name: 'stories260k' });
const running = await startServer(shenbi, { port: 0 });

// node-llama-cpp directly, with the backend settings Shenbi's pool uses.
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: CORES });
const directModel = await llama.loadModel({ modelPath: MODEL });
const oneContext = await directModel.createContext({ threads: 1, sequences: 1 });
const laneContexts = await Promise.all(Array.from({ length: STREAMS }, () => directModel.createContext({ threads: 1, sequences: 1, contextSize: oneContext.contextSize })));
// The text Shenbi's engine sends for this chat request (stories260K has no chat template).
const promptText = renderPlainPrompt([{ role: 'user', content: [{ type: 'text', text: PROMPT }] }]);

async function direct(context: LlamaContext, tokens: number, start: number): Promise<{ tokens: number; firstMs: number }> {
  const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
  let firstMs = 0;
  let count = 0;
  await completion.generateCompletion(promptText, {
    maxTokens: tokens,
    temperature: 0,
    onTextChunk: () => void (firstMs ||= performance.now() - start),
    onToken: (t) => void (count += t.length),
  });
  completion.dispose({ disposeSequence: true });
  return { tokens: count, firstMs };
}
async function directRun(contexts: LlamaContext[], tokens: number): Promise<Run> {
  const start = performance.now();
  const out = await Promise.all(contexts.map((context) => direct(context, tokens, start)));
  const seconds = (performance.now() - start) / 1000;
  return { tps: out.reduce((s, o) => s + o.tokens, 0) / seconds, ttftMs: median(out.map((o) => o.firstMs)) };
}

let llamaServer: ChildProcess | undefined;
let llamaUrl: string | undefined;
if (LLAMA_SERVER !== undefined) {
  const port = 18_000 + Math.floor(Math.random() * 2000);
  // One thread per decode as Shenbi's lanes, 4 slots for 4 streams, each slot Shenbi's context size.
  const args = ['-m', MODEL, '--host', '127.0.0.1', '--port', String(port), '-t', '1', '-np', String(STREAMS), '-c', String(STREAMS * oneContext.contextSize), ...(process.env.LLAMA_SERVER_ARGS ?? '').split(' ').filter(Boolean)];
  llamaServer = spawn(LLAMA_SERVER, args, { stdio: 'ignore' });
  llamaUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${llamaUrl}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 300) throw new Error(`llama-server did not become healthy: ${LLAMA_SERVER} ${args.join(' ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rows: string[][] = [];
try {
  for (const tokens of TOKEN_COUNTS) {
    const shenbiClient = await chatClient(running.url, tokens, 'stories260k');
    const llamaClient = llamaUrl === undefined ? undefined : await chatClient(llamaUrl, tokens, 'stories260k');
    const contenders: Record<string, () => Promise<Run>> = {
      shenbi1: () => shenbiClient.run(1),
      shenbi4: () => shenbiClient.run(STREAMS),
      direct1: () => directRun([oneContext], tokens),
      direct4: () => directRun(laneContexts, tokens),
      ...(llamaClient ? { llama1: () => llamaClient.run(1), llama4: () => llamaClient.run(STREAMS) } : {}),
    };
    const names = Object.keys(contenders);
    const runs: Record<string, Run[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = -2; round < ROUNDS; round++) {
      const order = names.map((_, i) => names[(i + round + names.length * 4) % names.length]!);
      for (const name of order) {
        const run = await contenders[name]!();
        // Disposed sequences return to their context asynchronously; let them settle.
        await new Promise((r) => setTimeout(r, 10));
        if (round >= 0) runs[name]!.push(run); // two warm-up rounds
      }
    }
    shenbiClient.close();
    llamaClient?.close();
    const tps = (n: string) => median(runs[n]!.map((r) => r.tps));
    const ttft = (n: string) => median(runs[n]!.map((r) => r.ttftMs));
    const ratio = (a: string, b: string, of: (r: Run) => number) => median(runs[a]!.map((r, i) => of(r) / of(runs[b]![i]!)));
    const f = (x: number) => x.toFixed(1);
    const x = (v: number) => `${v.toFixed(2)}×`;
    const llama = llamaClient !== undefined;
    const add = (measure: string, shenbiValue: string, directValue: string, vsDirect: string, llamaValue: string, vsLlama: string, target: string) =>
      rows.push([`${tokens}`, measure, shenbiValue, directValue, vsDirect, ...(llama ? [llamaValue, vsLlama] : []), target]);
    add('tok/s, 1 stream', f(tps('shenbi1')), f(tps('direct1')), x(ratio('shenbi1', 'direct1', (r) => r.tps)), llama ? f(tps('llama1')) : '', llama ? x(ratio('shenbi1', 'llama1', (r) => r.tps)) : '', '≥ 1.0× llama-server');
    add(`aggregate tok/s, ${STREAMS} streams`, f(tps('shenbi4')), f(tps('direct4')), x(ratio('shenbi4', 'direct4', (r) => r.tps)), llama ? f(tps('llama4')) : '', llama ? x(ratio('shenbi4', 'llama4', (r) => r.tps)) : '', '≥ 1.0× llama-server');
    add('TTFT ms, 1 stream (ratio: Shenbi / anchor)', f(ttft('shenbi1')), f(ttft('direct1')), x(ratio('shenbi1', 'direct1', (r) => r.ttftMs)), llama ? f(ttft('llama1')) : '', llama ? x(ratio('shenbi1', 'llama1', (r) => r.ttftMs)) : '', '≤ 1.2× llama-server');
    add(`TTFT ms, ${STREAMS} streams (median stream)`, f(ttft('shenbi4')), f(ttft('direct4')), x(ratio('shenbi4', 'direct4', (r) => r.ttftMs)), llama ? f(ttft('llama4')) : '', llama ? x(ratio('shenbi4', 'llama4', (r) => r.ttftMs)) : '', '(info)');
    add(`${STREAMS} streams vs 1 (each column's own)`, x(ratio('shenbi4', 'shenbi1', (r) => r.tps)), x(ratio('direct4', 'direct1', (r) => r.tps)), '', llama ? x(ratio('llama4', 'llama1', (r) => r.tps)) : '', '', 'Shenbi ≥ 1.7×');
  }
} finally {
  llamaServer?.kill();
  await running.close();
  await shenbi.close();
  for (const context of [oneContext, ...laneContexts]) await context.dispose();
  await directModel.dispose();
  rmSync(home, { recursive: true, force: true });
}

console.log(`stories260K, "${PROMPT}", greedy, ${CORES} cores, one-thread contexts; medians of ${ROUNDS} alternating rounds; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const header = ['tokens', 'measure', 'Shenbi HTTP', 'node-llama-cpp in-process', 'Shenbi / in-process'];
if (LLAMA_SERVER !== undefined) header.push('llama-server HTTP', 'Shenbi / llama-server');
header.push('target');
printTable(header, rows);
