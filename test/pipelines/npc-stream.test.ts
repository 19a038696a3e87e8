import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobEvent } from '../../src/core/progress.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { TESTDATA } from '../helpers/testdata.ts';

let home: string;
let shenbi: Shenbi;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-npc-stream-'));
  shenbi = await Shenbi.open({ overrides: { home, defaultTextModel: 'stories260k' } });
  await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
});
after(async () => {
  await shenbi.close();
  await rm(home, { recursive: true, force: true });
});

const scene = { npc: { id: 'teller', name: 'Teller', persona: 'A storyteller.', language: 'en' }, world: 'A small town', quest: 'Hear a story', player: 'p1' };
const seconds = (bytes: Buffer) => {
  const wav = decodeWav(bytes);
  return wav.info.frames / wav.sampleRate;
};

test('an NPC reply streams each voiced sentence as a stored, labeled piece before the reply ends', async () => {
  const events: JobEvent[] = [];
  const job = await shenbi.run('npc-reply', { scene, message: 'Tell me a story.' }, { onEvent: (e) => events.push(e) });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));

  const pieces = events.filter((e): e is Extract<JobEvent, { type: 'step.partial' }> => e.type === 'step.partial');
  assert.ok(pieces.length >= 2, `${pieces.length} sentence pieces`);
  assert.deepEqual(pieces.map((p) => p.index), pieces.map((_, i) => i), 'pieces arrive in order');
  for (const p of pieces) assert.equal(p.output, 'audio');
  // The first piece is playable before the step (and so the job) has finished.
  const stepDone = events.findIndex((e) => e.type === 'step.completed');
  assert.ok(events.indexOf(pieces[0]!) < stepDone);

  const transcript = JSON.parse((await shenbi.store.artifacts.read(job.outputs!.transcript as string)).bytes.toString('utf8')) as { sentences: { text: string }[] };
  assert.deepEqual(pieces.map((p) => p.text), transcript.sentences.map((s) => s.text), 'one piece per spoken sentence, same words');

  let pieceSeconds = 0;
  for (const [i, p] of pieces.entries()) {
    const { artifact, bytes } = await shenbi.store.artifacts.read(p.artifactId);
    assert.equal(artifact.mimeType, 'audio/wav');
    assert.equal(artifact.jobId, job.id);
    const types = artifact.labels.map((l) => l.type);
    assert.ok(types.includes('aigc-implicit'), `piece ${i} has its implicit label`);
    assert.ok(types.includes('c2pa'), `piece ${i} is signed`);
    const explicit = artifact.labels.find((l) => l.type === 'aigc-explicit')!;
    if (i === 0) assert.notEqual(explicit.placement, 'stream-start', 'the first piece carries the audible label itself');
    else assert.deepEqual([explicit.placement, (explicit.value as { stream: string }).stream], ['stream-start', pieces[0]!.artifactId]);
    pieceSeconds += seconds(bytes);
  }
  // The whole reply is the pieces joined with short pauses between them.
  const whole = seconds((await shenbi.store.artifacts.read(job.outputs!.audio as string)).bytes);
  assert.ok(whole >= pieceSeconds && whole <= pieceSeconds + 0.3 * pieces.length, `whole ${whole}s vs pieces ${pieceSeconds}s`);
});

test('streamSentences: false stores only the whole reply', async () => {
  const events: JobEvent[] = [];
  const spec = { id: 'npc-quiet', title: 'NPC reply without pieces', steps: [{ id: 'reply', uses: 'npc.reply', with: { scene, message: 'Hello.', streamSentences: false } }], outputs: { audio: { $from: 'reply.audio' } } };
  const job = await shenbi.run(spec, {}, { onEvent: (e) => events.push(e) });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  assert.equal(events.filter((e) => e.type === 'step.partial').length, 0);
  const audios = (await shenbi.store.artifacts.list({ jobId: job.id })).filter((a) => a.mimeType === 'audio/wav');
  assert.equal(audios.length, 1);
});
