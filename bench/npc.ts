/**
 * NPC benchmark, one run, same model, scene and message: how soon the player hears the NPC.
 *   streamed: the npc.reply step stores and announces each sentence as it is voiced
 *             (step.partial); time to the first piece, and to the whole job.
 *   whole:    streamSentences: false; nothing is playable before the whole reply is stored.
 * Rounds alternate the two, each with a fresh player so memory never lengthens the prompt.
 * Run: npm run bench:npc   (env: ROUNDS; SHENBI_BENCH_MODEL = a GGUF file, default stories260K)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineSpecInput } from '../src/core/pipeline.ts';
import type { JobEvent } from '../src/core/progress.ts';
import { Shenbi } from '../src/shenbi.ts';

const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../shared/testdata/', import.meta.url));
const MODEL = process.env.SHENBI_BENCH_MODEL ?? join(TESTDATA, 'stories260K.gguf');
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const home = await mkdtemp(join(tmpdir(), 'shenbi-bench-npc-'));
const shenbi = await Shenbi.open({ overrides: { home, defaultTextModel: 'bench-model' } });
await shenbi.models.importFile(MODEL, { name: 'bench-model' });

const spec = (streamSentences: boolean): PipelineSpecInput => ({
  id: 'npc-bench',
  title: 'NPC reply',
  inputs: { scene: { type: 'json' } },
  steps: [{ id: 'reply', uses: 'npc.reply', with: { scene: { $from: 'inputs.scene' }, message: 'Tell me a story about the town.', maxTokens: 160, temperature: 0, streamSentences } }],
  outputs: { audio: { $from: 'reply.audio' } },
});

interface Round { firstAudioMs: number; totalMs: number; pieces: number }
async function round(streamed: boolean, player: string): Promise<Round> {
  const scene = { npc: { id: 'teller', name: 'Teller', persona: 'A storyteller.', language: 'en' }, world: 'A small town', quest: 'Hear a story', player };
  let first = 0;
  let pieces = 0;
  const start = performance.now();
  const job = await shenbi.run(spec(streamed), { scene }, {
    onEvent: (e: JobEvent) => {
      if (e.type === 'step.partial' && pieces++ === 0) first = performance.now();
    },
  });
  const end = performance.now();
  if (job.status !== 'completed') throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
  return { firstAudioMs: (streamed ? first : end) - start, totalMs: end - start, pieces };
}

await round(true, 'warmup-a');
await round(false, 'warmup-b');
const streamed: Round[] = [];
const whole: Round[] = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternate which goes first so drift hits both alike.
  if (i % 2 === 0) {
    streamed.push(await round(true, `s${i}`));
    whole.push(await round(false, `w${i}`));
  } else {
    whole.push(await round(false, `w${i}`));
    streamed.push(await round(true, `s${i}`));
  }
}
await shenbi.close();
await rm(home, { recursive: true, force: true });

const m = (rs: Round[], k: keyof Round) => median(rs.map((r) => r[k]));
const f = (x: number) => x.toFixed(0);
console.log(`${MODEL.split('/').pop()}, greedy, ${m(streamed, 'pieces')} sentences per reply (median), ${ROUNDS} rounds, medians\n`);
console.log('| measure | streamed sentences | whole reply only | ratio |');
console.log('|---|---|---|---|');
console.log(`| ms until the player can hear the NPC | ${f(m(streamed, 'firstAudioMs'))} | ${f(m(whole, 'firstAudioMs'))} | ${(m(streamed, 'firstAudioMs') / m(whole, 'firstAudioMs')).toFixed(2)} |`);
console.log(`| ms until the whole reply is stored | ${f(m(streamed, 'totalMs'))} | ${f(m(whole, 'totalMs'))} | ${(m(streamed, 'totalMs') / m(whole, 'totalMs')).toFixed(2)} (cost of storing pieces) |`);
