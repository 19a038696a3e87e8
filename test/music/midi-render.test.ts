import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { JobCaller } from '../../src/core/job-caller.ts';
import { compose, toMidi } from '../../src/engines/composer/index.ts';
import { renderMidi } from '../../src/engines/soundfont/render-midi.ts';
import { decodeAudio } from '../../src/media/audio/encode.ts';
import { rmsOf, toDb } from '../../src/media/audio/pcm.ts';
import { pipelineForTask } from '../../src/pipelines/task-pipelines.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/** Issue #17 item 7: render your own MIDI file with a SoundFont, confined like every media input. */

let home: string;
let shenbi: Shenbi;
let midiPath: string;
const PIANO = join(TESTDATA, 'FluidR3_GM-000-piano.sf3');
/** What a password file starts with: a parser that quotes the bytes it found would echo this. */
const SECRET = 'pw:x:0:0:secret-line:/home/pw:/bin/sh\n';
const KEYED: JobCaller = { tenant: 'mallory', localFiles: false };

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-midi-render-'));
  midiPath = join(home, 'my tune.mid');
  // A real MIDI file, written by the repo's own composer (a few seconds of piano and melody).
  await writeFile(midiPath, toMidi(compose({ lyrics: '春眠不觉晓', seed: 3, introBars: 0, outroBars: 1 })));
  await writeFile(join(home, 'not-a-font.sf2'), SECRET);
  shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [home, TESTDATA] }, env: process.env });
});
after(async () => {
  await shenbi.close();
  await rm(home, { recursive: true, force: true });
});

test('generate music with midi and soundfont renders the file with that SoundFont, labeled, with a clean name', async () => {
  const job = await shenbi.generate('music', { midi: midiPath, soundfont: PIANO, format: 'wav', title: '. Once there was a little s' });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const audio = await shenbi.store.artifacts.get(String(job.outputs?.song));
  assert.equal(audio.mimeType, 'audio/wav');
  assert.equal(audio.name, 'Once there was a little s.wav');
  assert.ok(audio.labels.length > 0, 'governance labeled the rendered audio');
  assert.equal(audio.provenance.engine.id, 'spessasynth');
  const { bytes } = await shenbi.store.artifacts.read(audio.id);
  const pcm = await decodeAudio(bytes);
  assert.ok(toDb(rmsOf(pcm.samples)) > -40, 'not silent');
  // The SoundFont named is the one used: another bank renders the same file differently.
  const midi = toMidi(compose({ lyrics: '春眠不觉晓', seed: 3, introBars: 0, outroBars: 1 }));
  const withPiano = await renderMidi(midi, { soundFontPath: PIANO, tailSeconds: 0 });
  const withOther = await renderMidi(midi, { soundFontPath: join(TESTDATA, 'sf_spec_test.sf2'), tailSeconds: 0 });
  assert.notDeepEqual(withPiano.left.subarray(0, 44_100), withOther.left.subarray(0, 44_100));
  assert.ok(Math.abs(Number(job.outputs?.duration) - (withPiano.left.length / withPiano.sampleRate + 2)) < 0.5, `duration ${String(job.outputs?.duration)}`);
});

test('a keyed caller naming /etc/passwd as soundfont gets PATH_NOT_ALLOWED, with nothing of the file in the answer', async () => {
  const midi = await shenbi.store.artifacts.put({
    kind: 'midi',
    mimeType: 'audio/midi',
    bytes: Buffer.from(toMidi(compose({ lyrics: 'la la la', seed: 1 }))),
    provenance: { task: 'music', inputs: {}, engine: { id: 'test', version: '1' }, model: null, parameters: {}, seed: null, parents: [], timings: { startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 0 } },
  });
  const submitted = await shenbi.runner.submit(pipelineForTask('music', { midi: midi.id, soundfont: '/etc/passwd' }), {}, { caller: KEYED });
  const job = await shenbi.runner.wait(submitted.id);
  assert.equal(job.status, 'failed');
  assert.equal(job.error?.code, 'PATH_NOT_ALLOWED', JSON.stringify(job.error));
  assert.doesNotMatch(JSON.stringify(job.error), /root:|\/bin\/|\/etc\/passwd/);
});

test('an invalid SoundFont or MIDI file gives MEDIA_INVALID without its bytes', async () => {
  const job = await shenbi.generate('music', { midi: midiPath, soundfont: join(home, 'not-a-font.sf2') });
  assert.equal(job.status, 'failed');
  assert.equal(job.error?.code, 'MEDIA_INVALID', JSON.stringify(job.error));
  assert.doesNotMatch(JSON.stringify(job.error), /pw:x|secret-line|pw:/);
  const badMidi = await shenbi.generate('music', { midi: join(home, 'not-a-font.sf2') });
  assert.equal(badMidi.error?.code, 'MEDIA_INVALID', JSON.stringify(badMidi.error));
  assert.doesNotMatch(JSON.stringify(badMidi.error), /pw:x|secret-line/);
  // The library call itself, as an embedder would make it.
  const direct = await renderMidi(new Uint8Array(8), { soundFontPath: join(home, 'not-a-font.sf2') }).then(
    () => assert.fail('accepted'),
    (e: unknown) => e,
  );
  assert.ok(direct instanceof ShenbiError && direct.code === 'MEDIA_INVALID');
  assert.doesNotMatch(direct.message, /pw:x|secret-line/);
});

test('midi with lyrics or a prompt is an input error naming midi', () => {
  assert.throws(() => pipelineForTask('music', { midi: midiPath, lyrics: 'la' }), (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT' && /midi/.test(e.message));
});
