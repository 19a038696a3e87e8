import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobEvent } from '../../src/core/progress.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import type { PcmAudio } from '../../src/media/audio/pcm.ts';
import { decodeWav, encodeWav } from '../../src/media/audio/wav.ts';
import { SpeakablePieces } from '../../src/pipelines/npc/speakable-pieces.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { openAIStream, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';

// A remote model (a 127.0.0.1 server speaking OpenAI's streaming protocol) whose reply opens
// with a lone quote on its own line, then a very short sentence: each was once its own piece.
const REPLY_DELTAS = ['"', '\n', 'Hi. ', 'Well met, traveler; the road to the north is long and cold.', ' Rest by the fire tonight."'];

let home: string;
let shenbi: Shenbi;
let model: FakeServer;
const espeak = createEspeakEngine();

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-npc-label-'));
  model = await startFakeServer((_req, res) => openAIStream(res, 'npc', REPLY_DELTAS, 5));
  process.env.FAKE_NPC_KEY = 'sk-npc';
  shenbi = await Shenbi.open({ overrides: { home, providers: [{ name: 'fakenpc', kind: 'openai', baseURL: `${model.baseURL}/v1`, apiKeyEnv: 'FAKE_NPC_KEY' }] }, env: process.env });
});
after(async () => {
  await shenbi.close();
  await model.close();
  await espeak.close();
  delete process.env.FAKE_NPC_KEY;
  await rm(home, { recursive: true, force: true });
});

/** Tone bursts (2 ms RMS envelope above half its peak) in the first second; [start, end] in ms. */
function bursts(audio: PcmAudio): [number, number][] {
  const frame = Math.round(audio.sampleRate * 0.002);
  const env: number[] = [];
  for (let s = 0; s + frame <= Math.min(audio.samples.length, audio.sampleRate); s += frame) {
    let sum = 0;
    for (let i = s; i < s + frame; i++) sum += audio.samples[i]! ** 2;
    env.push(Math.sqrt(sum / frame));
  }
  const threshold = Math.max(...env) / 2;
  const out: [number, number][] = [];
  env.forEach((v, i) => {
    if (v < threshold) return;
    const last = out.at(-1);
    if (last && i * 2 - last[1] <= 4) last[1] = i * 2 + 2;
    else out.push([i * 2, i * 2 + 2]);
  });
  return out;
}

test('a reply opening with a lone quote: the first streamed piece is long enough to carry the whole audible label, and it does', async () => {
  const events: JobEvent[] = [];
  const scene = { npc: { id: 'keeper', name: 'Keeper', persona: 'An innkeeper.', language: 'en' }, world: 'A cold inn', quest: 'Find a bed', player: 'p1' };
  const job = await shenbi.run('npc-reply', { scene, message: 'Hello!', model: 'fakenpc:npc' }, { onEvent: (e) => events.push(e) });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const pieces = events.filter((e): e is Extract<JobEvent, { type: 'step.partial' }> => e.type === 'step.partial');
  assert.ok(pieces.length >= 1);
  for (const p of pieces) assert.match(p.text ?? '', /[A-Za-z]/, `piece "${p.text}" has words to speak`);

  const first = pieces[0]!;
  const stored = decodeWav((await shenbi.store.artifacts.read(first.artifactId)).bytes);
  const seconds = stored.samples.length / stored.sampleRate;
  assert.ok(seconds >= 0.9, `first piece "${first.text}" lasts ${seconds} s, shorter than the 0.9 s label`);

  // The same words from the same real voice, unlabeled: what the label added is the difference.
  const plain = decodeWav(encodeWav((await espeak.synthesize({ text: first.text!, language: 'en', speed: 1 })).audio));
  assert.equal(plain.samples.length, stored.samples.length, 'the overlay label keeps the length');
  const added: PcmAudio = { sampleRate: stored.sampleRate, samples: stored.samples.map((s, i) => s - plain.samples[i]!) };
  const found = bursts(added);
  assert.equal(found.length, 4, `bursts ${JSON.stringify(found)}`);
  // Short-long-short-short: 100, 300, 100, 100 ms with 100 ms gaps, from the start.
  [100, 300, 100, 100].forEach((ms, i) => assert.ok(Math.abs(found[i]![1] - found[i]![0] - ms) <= 12, `burst ${i}: ${JSON.stringify(found)}`));
  assert.ok(found[0]![0] <= 12, `the rhythm starts the piece: ${JSON.stringify(found)}`);
});

test('pieces: a lone quote or a too-short opening joins the next sentence; nothing unspeakable is emitted', () => {
  const pieces = new SpeakablePieces();
  const out = ['"', '\n', 'Hi. ', 'Well met, traveler; the road north is long. ', 'Yes. ', 'Go.'].flatMap((d) => pieces.push(d));
  out.push(...pieces.flush());
  assert.deepEqual(out, ['" Hi. Well met, traveler; the road north is long.', 'Yes.', 'Go.']);
  const zh = new SpeakablePieces();
  const zhOut = ['“\n', '好。', '欢迎来到我们的小客栈，', '请坐。'].flatMap((d) => zh.push(d));
  zhOut.push(...zh.flush());
  assert.deepEqual(zhOut, ['“好。欢迎来到我们的小客栈，请坐。']);
  const onlyPunctuation = new SpeakablePieces();
  assert.deepEqual([...onlyPunctuation.push('"\n…\n'), ...onlyPunctuation.flush()], []);
});
