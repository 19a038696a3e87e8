/**
 * How much each kind of job blocks the server's event loop: one job at a time through a real
 * server, while `/v1/models` is polled every 50 ms and the main thread's event-loop delay is
 * sampled. Prints p50/p99/max of the poll latency and the loop delay's max, per job.
 * The poller runs in its own thread, as an outside client would: a stall of the server's loop
 * shows in the latency of the poll that waited for it.
 * Run: node --import tsx bench/event-loop.ts [--warm] [speech song lyric-video align image card ...]
 * (--warm: run each job once unmeasured first, so one-time start-up costs are left out)
 * (add --cpu-prof to node's flags to see what runs on the main thread)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/start.ts';
import { Shenbi } from '../src/shenbi.ts';
import { percentile, probeLatencyDuring } from '../test/helpers/latency-probe.ts';

const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../shared/testdata/', import.meta.url));
const POLL_MS = 50;

const SPEECH_TEXT = Array.from({ length: 6 }, () => 'The quick brown fox jumps over the lazy dog, and then it runs far away across the field to find its friends before the sun goes down.').join(' ');
const LYRICS = '春风吹过山岗\n花开满了地方\n我们一起歌唱\n明天更加辉煌\n\n月亮挂在天上\n星星闪闪发光\n心中充满希望\n一路向着远方';
/** Each job; `variant` changes its input, so a warm-up run is not a step-cache hit for the measured one. */
const JOBS: Record<string, (variant: number) => unknown> = {
  speech: (v) => ({ task: 'speech', input: { text: `${SPEECH_TEXT} ${'Again. '.repeat(v)}` } }),
  song: (v) => ({ pipeline: 'song', input: { lyrics: LYRICS, format: 'mp3', seed: 1 + v } }),
  'lyric-video': (v) => ({ pipeline: 'lyric-video', input: { lyrics: LYRICS.split('\n\n')[0], seed: 1 + v } }),
  align: (v) => ({ task: 'transcription', input: { audio: join(TESTDATA, 'jfk.wav'), transcript: 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.', format: v === 0 ? 'srt' : 'vtt' } }),
  image: (v) => ({ task: 'image', input: { operation: 'upscale', factor: v === 0 ? 2 : 4, image: join(TESTDATA, 'portrait-astronaut.png') } }),
  card: (v) => ({ pipeline: 'blessing-card', input: { recipient: 'Ada', seed: 3 + v } }),
};

async function submit(body: unknown): Promise<string> {
  const submitted = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return ((await submitted.json()) as { id: string }).id;
}

const home = mkdtempSync(join(tmpdir(), 'shenbi-bench-loop-'));
const shenbi = await Shenbi.open({ overrides: { home }, env: { ...process.env, SHENBI_MEDIA_ROOTS: TESTDATA } });
const server = await startServer(shenbi, { port: 0 });
try {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  for (const name of names.length > 0 ? names : Object.keys(JOBS)) {
    const body = JOBS[name];
    if (body === undefined) throw new Error(`unknown job ${name}; one of ${Object.keys(JOBS).join(', ')}`);
    if (process.argv.includes('--warm')) await shenbi.runner.wait(await submit(body(1)));
    const started = performance.now();
    const id = await submit(body(0));
    const { result: job, latencies, loopDelayMaxMs } = await probeLatencyDuring(`${server.url}/v1/models`, POLL_MS, () => shenbi.runner.wait(id));
    console.log(
      `${name.padEnd(12)} ${job.status.padEnd(9)} ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ` +
        `/v1/models n=${latencies.length} p50 ${percentile(latencies, 50).toFixed(0)} p99 ${percentile(latencies, 99).toFixed(0)} max ${Math.max(...latencies).toFixed(0)} ms  ` +
        `loop delay max ${loopDelayMaxMs.toFixed(0)} ms`,
    );
    if (job.status !== 'completed') console.log(`  ${JSON.stringify(job.error)}`);
  }
} finally {
  await server.close();
  await shenbi.close();
  rmSync(home, { recursive: true, force: true });
}
