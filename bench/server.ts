/**
 * Server benchmark, one run:
 *   1. Streamed chat tokens/s through HTTP (the official openai client against `shenbi serve`)
 *      vs the same model and settings in-process (AI SDK streamText on the resolved model).
 *      Target ratio ≥ 0.95.
 *   2. 200 concurrent SSE subscriptions to a job that emits a progress event every 50 ms,
 *      held for DURATION seconds: every subscriber must get every event, in order, and the result.
 *   3. Added latency of a trivial one-step job: POST /api/jobs + SSE to the result vs
 *      shenbi.run in-process; p50 and p99 of each, target p99 difference ≤ 10 ms.
 * Run: npm run bench:server [-- --quick]   (env: RUNS, TOKENS, SUBSCRIBERS, DURATION, JOBS)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { fork } from 'node:child_process';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamText } from 'ai';
import type { StepDefinition } from '../src/core/step.ts';
import { startServer } from '../src/server/start.ts';
import { Shenbi } from '../src/shenbi.ts';
import { alternate } from './alternate.ts';
import { noopPipeline, noopStep } from './job-latency.ts';
import { resolveServerLimits } from '../src/config/server-limits.ts';

const quick = process.argv.includes('--quick');
const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../shared/testdata/', import.meta.url));
const RUNS = Number(process.env.RUNS ?? (quick ? 9 : 15));
// Long enough that the stream, not the request's fixed cost (~40 ms: connection, input
// moderation, model lookup, first chunk), is measured: stories260K writes 200 tokens in
// ~0.2 s, where a real model takes ~10 s. TOKENS=200 shows the fixed cost's weight.
const TOKENS = Number(process.env.TOKENS ?? 1000);
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 200);
const DURATION_S = Number(process.env.DURATION ?? (quick ? 10 : 60));
const JOBS = Number(process.env.JOBS ?? (quick ? 200 : 500));
const TICK_MS = 50;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

/** Emits a progress event every TICK_MS for `seconds`: the stream 200 subscribers follow. */
const tickStep: StepDefinition = {
  type: 'bench.tick',
  title: 'Tick',
  version: '1',
  cacheable: false,
  inputs: { seconds: { type: 'number' } },
  outputs: { ticks: { type: 'number' } },
  async run(ctx, inputs) {
    const total = Math.round((Number(inputs.seconds) * 1000) / TICK_MS);
    for (let i = 1; i <= total; i++) {
      await new Promise((r) => setTimeout(r, TICK_MS));
      ctx.signal.throwIfAborted();
      ctx.progress({ fraction: i / total, message: `tick ${i}` });
    }
    return { ticks: total };
  },
};


const home = mkdtempSync(join(tmpdir(), 'shenbi-bench-server-'));
// Every subscriber connects from loopback: lift the per-address connection cap (64 by default,
// a tenant-facing limit) above the fan-out measured here, so the bench measures delivery, not the cap.
const shenbi = await Shenbi.open({
  overrides: { home, server: resolveServerLimits({ maxConnectionsPerIp: SUBSCRIBERS + 64 }) },
  env: { ...process.env, SHENBI_TEXT_MODEL: 'stories260k' },
  steps: [tickStep, noopStep],
});
await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
const running = await startServer(shenbi, { port: 0 });
const { url } = running;
console.log(`server ${url}; runs ${RUNS}, tokens ${TOKENS}, ${SUBSCRIBERS} subscribers for ${DURATION_S} s, ${JOBS} trivial jobs`);

try {
  // 1. Streamed chat tokens/s.
  const messages = [{ role: 'user' as const, content: 'Once upon a time' }];
  const resolved = await running.server.services.text.language('stories260k');
  const inProcess = async () => {
    const start = performance.now();
    const result = streamText({ model: resolved.model, messages, temperature: 0, maxOutputTokens: TOKENS, maxRetries: 0 });
    for await (const _ of result.textStream);
    const tokens = (await result.usage).outputTokens ?? 0;
    return tokens / ((performance.now() - start) / 1000);
  };
  // The HTTP client runs in its own process, as real clients do, so its parsing does not
  // share this event loop with the server it measures.
  const child = fork(fileURLToPath(new URL('./server-chat-client.ts', import.meta.url)), [url, String(TOKENS)], { execArgv: ['--import', 'tsx'] });
  const replies: ((value: { tps: number }) => void)[] = [];
  child.on('message', (m: { ready?: boolean; tps?: number }) => replies.shift()?.(m as { tps: number }));
  await new Promise<{ tps: number }>((resolve) => replies.push(resolve));
  const overHttp = () =>
    new Promise<number>((resolve) => {
      replies.push((m) => resolve(m.tps));
      child.send({ prompt: messages[0]!.content });
    });
  await inProcess();
  await overHttp();
  const { first: local, second: http } = await alternate(RUNS, inProcess, overHttp);
  child.kill();
  // Median of the per-round ratios: a slow round slows both of its runs.
  const ratio = median(http.map((h, i) => h / local[i]!));
  console.log(`1. streamed chat: in-process ${median(local).toFixed(0)} tok/s, HTTP ${median(http).toFixed(0)} tok/s, ratio ${ratio.toFixed(3)} (target ≥ 0.95) ${ratio >= 0.95 ? 'OK' : 'MISS'}`);

  // 2. 200 concurrent SSE subscriptions.
  const submitted = (await (await fetch(`${url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: { id: 'bench-tick', title: 'Tick', steps: [{ id: 'tick', uses: 'bench.tick', with: { seconds: DURATION_S } }], outputs: { ticks: { $from: 'tick.ticks' } } } }) })).json()) as { id: string };
  const started = performance.now();
  const subscriptions = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => subscribe(`${url}/api/jobs/${submitted.id}/events`)));
  const expectedTicks = Math.round((DURATION_S * 1000) / TICK_MS);
  let complete = 0;
  const problems: string[] = [];
  for (const [i, s] of subscriptions.entries()) {
    const progress = s.events.filter((e) => e.event === 'step.progress').length;
    const gaps = s.ids.some((id, k) => k > 0 && id !== s.ids[k - 1]! + 1);
    if (progress === expectedTicks && !gaps && s.ids[0] === 1 && s.events.at(-1)?.event === 'result') complete++;
    else if (problems.length < 5) problems.push(`subscriber ${i}: ${progress}/${expectedTicks} ticks, gaps ${gaps}, first id ${s.ids[0]}, last ${s.events.at(-1)?.event}`);
  }
  const events = subscriptions.reduce((sum, s) => sum + s.events.length, 0);
  console.log(`2. SSE: ${complete}/${SUBSCRIBERS} subscribers got all ${expectedTicks} progress events in order plus the result (${events} events in ${((performance.now() - started) / 1000).toFixed(1)} s) ${complete === SUBSCRIBERS ? 'OK, none dropped' : 'DROPPED'}`);
  for (const p of problems) console.log(`   ${p}`);

  // 3. Added latency of a trivial job.
  let n = 0;
  const runLocal = async () => {
    const start = performance.now();
    await shenbi.run(noopPipeline, { n: n++ });
    return performance.now() - start;
  };
  const runHttp = async () => {
    const start = performance.now();
    const r = (await (await fetch(`${url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: noopPipeline, input: { n: n++ } }) })).json()) as { id: string };
    const text = await (await fetch(`${url}/api/jobs/${r.id}/events`)).text();
    if (!text.includes('event: result')) throw new Error(`no result for ${r.id}`);
    return performance.now() - start;
  };
  for (let i = 0; i < 20; i++) {
    await runLocal();
    await runHttp();
  }
  const localMs: number[] = [];
  const httpMs: number[] = [];
  for (let i = 0; i < JOBS; i++) {
    localMs.push(await runLocal());
    httpMs.push(await runHttp());
  }
  const addedP99 = percentile(httpMs, 99) - percentile(localMs, 99);
  console.log(
    `3. trivial job: in-process p50 ${median(localMs).toFixed(2)} ms p99 ${percentile(localMs, 99).toFixed(2)} ms; HTTP (POST + SSE to result) p50 ${median(httpMs).toFixed(2)} ms p99 ${percentile(httpMs, 99).toFixed(2)} ms; ` +
      `added p50 ${(median(httpMs) - median(localMs)).toFixed(2)} ms, p99 ${addedP99.toFixed(2)} ms (target ≤ 10) ${addedP99 <= 10 ? 'OK' : 'MISS'}`,
  );
} finally {
  await running.close();
  await shenbi.close();
  rmSync(home, { recursive: true, force: true });
}

/** One SSE subscription over its own connection, read to the end. */
function subscribe(target: string): Promise<{ events: { event: string }[]; ids: number[] }> {
  return new Promise((resolve, reject) => {
    const req = request(target, { agent: false }, (res) => {
      let buffer = '';
      const events: { event: string }[] = [];
      const ids: number[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('id:')) ids.push(Number(line.slice(3)));
          }
          if (!block.startsWith(':')) events.push({ event });
        }
      });
      res.on('end', () => resolve({ events, ids }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
