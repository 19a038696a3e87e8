import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { synthesizeEffect } from '../../src/engines/sfx/index.ts';
import { cueTime, type ShortScriptInput, type SoundEffect } from '../../src/engines/short/short-script.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { parseSrt } from '../../src/media/subtitles/index.ts';
import type { PipelineSpecInput } from '../../src/core/pipeline.ts';
import { shortPipeline } from '../../src/pipelines/recipes/short.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { workRootOf } from '../../src/fs/work-dir.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { openAIChat, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { decodeTrack, ebur128Lufs, effectOnsets, levelDb, PROBE_RATE } from './short-audio-probe.ts';

/**
 * Issue #21's "Must show": the whole `short` pipeline from one sentence, the text model a
 * scripted fake (a 127.0.0.1 server speaking the OpenAI chat protocol, answering a fixed
 * 6-scene script), everything else real and offline: eSpeak, designed cards, the composer's
 * bed, synthesised effects, the mixer, ffmpeg. The MP4 is checked from its bytes.
 */

export const FIXED_SCRIPT: ShortScriptInput = {
  title: 'The Lighthouse Keeper',
  mood: 'warm',
  language: 'en',
  scenes: [
    { narration: 'Every night the keeper climbs the tower.', caption: 'Every night', visual: 'a lighthouse at dusk', sounds: [{ effect: 'chime', at: 'start' }] },
    { narration: 'His boots ring on iron steps.', caption: 'Step by step', visual: 'spiral iron stairs', sounds: [{ effect: 'footsteps', at: 'middle' }] },
    { narration: 'At the top he lights the lamp.', caption: 'Light', visual: 'a bright lamp', sounds: [{ effect: 'pop', at: 'end' }] },
    { narration: 'He writes the weather in his log.', caption: 'The log', visual: 'a notebook and a pen', sounds: [{ effect: 'typing', at: 'start' }] },
    { narration: 'Far out at sea, a ship sees it.', caption: 'A ship', visual: 'a ship on dark water', sounds: [{ effect: 'firework', at: 'start' }] },
    { narration: 'The sailors cheer as they come home.', caption: 'Home', visual: 'a harbour at dawn', sounds: [{ effect: 'applause', at: 'end' }] },
  ],
};

let home: string;
let server: FakeServer;
let shenbi: Shenbi;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-short-e2e-'));
  server = await startFakeServer((req, res) => openAIChat(res, 'script-writer', JSON.stringify(FIXED_SCRIPT)));
  process.env.FAKE_SHORT_KEY = 'sk-short';
  shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [home, TESTDATA], providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_SHORT_KEY' }] }, env: process.env });
});
after(async () => {
  delete process.env.FAKE_SHORT_KEY;
  await shenbi.close();
  await server.close();
  await rm(home, { recursive: true, force: true });
});

function completed(job: JobRecord): Record<string, unknown> {
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  return job.outputs!;
}

interface ShortOutputs {
  video: string;
  timeline: { scenes: { start: number; end: number }[]; effects: { effect: string; time: number }[]; titleCard: { start: number; end: number } | null };
  loudness: { finalLufs: number };
  sources: { pictures: { source: string }[]; music: { kind: string }; effects: { effect: string; source: string; seed?: number }[] };
}

test('one sentence → a 9:16 short: narration, bed and effects where expected, −14 LUFS, subtitles as narrated, labeled', { timeout: 300_000 }, async () => {
  const messages = new Set<string>();
  const job = await shenbi.run(shortPipeline, { idea: 'A lighthouse keeper guides a ship home', duration: 36, language: 'en', model: 'fake:script-writer', seed: 7 }, {
    onEvent: (e) => { if (e.type === 'step.progress' && e.stepId === 'short' && e.message) messages.add(e.message); },
  });
  const outputs = completed(job);
  assert.ok(server.requests.length >= 1, 'the script came from the (fake) text model');
  for (const stage of ['narrating scene 1/6', 'narrating scene 6/6', 'composing the music bed', 'mixing', 'encoding', 'choosing the cover']) assert.ok(messages.has(stage), `progress says '${stage}'`);
  const steps = await shenbi.store.jobs.steps(job.id);
  const short = steps.find((s) => s.stepId === 'short')!.outputs as unknown as ShortOutputs;
  const pictures = steps.find((s) => s.stepId === 'pictures')!.outputs!.pictures;
  const script = steps.find((s) => s.stepId === 'script')!.outputs!.script as ShortScriptInput;
  assert.equal(script.scenes.length, 6);

  const { artifact: videoArtifact, bytes: videoBytes } = await shenbi.store.artifacts.read(String(outputs.video));
  const videoPath = (await shenbi.store.blobs.localPath(videoArtifact.blobRef));
  const probe = await probeMedia(videoPath);
  const picture = probe.streams.find((s) => s.type === 'video');
  assert.ok(picture && probe.streams.some((s) => s.type === 'audio'), 'video and audio streams');
  assert.deepEqual([picture.width, picture.height], [720, 1280], '9:16 at 720p');
  const { timeline } = short;
  const end = timeline.scenes.at(-1)!.end;
  assert.ok(Math.abs(probe.duration - end) < 0.15, `the MP4 lasts the timeline (${probe.duration} vs ${end})`);
  assert.deepEqual(timeline.titleCard, { start: 0, end: 2 });

  // Loudness by ffmpeg's own EBU R128 meter, not ours.
  const lufs = await ebur128Lufs(videoPath);
  assert.ok(Math.abs(lufs - -14) <= 1, `integrated loudness ${lufs} LUFS`);

  const track = await decodeTrack(videoPath);
  // Music: the title card after its whoosh and before the first narration is the bed alone.
  const bedOnly = levelDb(track, 1.2, 2.1);
  assert.ok(bedOnly > -45, `the music bed sounds under the title card (${bedOnly.toFixed(1)} dBFS)`);
  // Narration: the middle of every scene is louder than the bed alone (the voice over a ducked bed).
  for (const [i, span] of timeline.scenes.entries()) {
    const middle = (span.start + span.end) / 2;
    const voiced = levelDb(track, middle - 0.4, middle + 0.4);
    assert.ok(voiced > bedOnly + 3, `scene ${i + 1} is narrated (${voiced.toFixed(1)} dBFS over a bed of ${bedOnly.toFixed(1)})`);
  }

  // Effects: each cue at cueTime(scene span, place), found in the final track by its own waveform
  // (seeded: the provenance names each effect's seed).
  const expected = script.scenes.flatMap((scene, i) => (scene.sounds ?? []).map((cue) => ({ effect: cue.effect, time: cueTime(timeline.scenes[i]!, cue.at ?? 'start') })));
  assert.equal(expected.length, 6);
  const placed = short.sources.effects.filter((e) => e.effect !== 'whoosh');
  assert.deepEqual(placed.map((e) => e.effect), expected.map((e) => e.effect));
  const templates = placed.map((e, i) => ({ time: expected[i]!.time, audio: synthesizeEffect(e.effect as SoundEffect, { seed: e.seed!, sampleRate: PROBE_RATE }) }));
  const onsets = effectOnsets(track, templates);
  for (const [i, onset] of onsets.entries()) {
    assert.ok(onset.found !== null && Math.abs(onset.found - onset.expected) <= 0.1, `${expected[i]!.effect} expected at ${onset.expected.toFixed(3)} s, heard at ${onset.found?.toFixed(3) ?? 'no time'}`);
  }
  // And not where they are not: the same effects a second early (under the title card and the voice).
  const early = effectOnsets(track, templates.map((t) => ({ ...t, time: t.time - 1 })), { search: 0.2 });
  assert.ok(early.every((o) => o.found === null), `no effect a second before its cue: ${early.map((o) => o.correlation.toFixed(2)).join(' ')}`);
  console.log(`# effect onsets (s): ${onsets.map((o, i) => `${expected[i]!.effect} ${o.expected.toFixed(3)}→${o.found?.toFixed(3)} (r=${o.correlation.toFixed(2)})`).join(', ')}`);

  // Subtitles say the narration, word for word.
  // (The file's first cue is governance's AI notice, not narration.)
  const srt = parseSrt((await shenbi.store.artifacts.read(String(outputs.subtitles))).bytes.toString('utf8')).filter((c) => !c.lines.join(' ').includes('人工智能生成'));
  const words = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}\s']/gu, ' ').split(/\s+/).filter(Boolean);
  assert.deepEqual(words(srt.flatMap((c) => c.lines).join(' ')), words(script.scenes.map((s) => s.narration).join(' ')));
  assert.ok(srt[0]!.start >= 2, 'the first subtitle follows the title card');

  // Labels verify on the video and the cover; provenance names every source and the loudness.
  for (const bytes of [videoBytes, (await shenbi.store.artifacts.read(String(outputs.cover))).bytes]) {
    const verdict = await verifyLabels(bytes, { require: ['implicit', 'c2pa'] });
    assert.equal(verdict.verdict, 'labeled', verdict.problems.join('; '));
  }
  const sources = videoArtifact.provenance.parameters.sources as ShortOutputs['sources'];
  assert.equal(sources.pictures.length, 6);
  assert.equal(sources.music.kind, 'composer');
  assert.deepEqual(sources.effects.map((e) => e.effect), ['whoosh', ...expected.map((e) => e.effect)]);
  assert.ok(sources.effects.every((e) => e.source === 'synthesized'));
  assert.ok(Math.abs((videoArtifact.provenance.parameters.loudness as { finalLufs: number }).finalLufs - -14) < 0.5);
});

test('cancelled while encoding: ffmpeg stops, the job is cancelled, no video is stored and no work folder is left', { timeout: 120_000 }, async () => {
  const before = (await shenbi.store.artifacts.list({ limit: 10_000 })).filter((a) => a.kind === 'video').length;
  const controller = new AbortController();
  const script = { ...FIXED_SCRIPT, title: 'Cancelled short' };
  const job = await shenbi.run(shortPipeline, { script: JSON.stringify(script), seed: 9 }, {
    signal: controller.signal,
    onEvent: (e) => { if (e.type === 'step.progress' && e.stepId === 'short' && e.message === 'encoding' && (e.fraction ?? 0) > 0.35) controller.abort(); },
  });
  assert.equal(job.status, 'cancelled', JSON.stringify(job.error));
  assert.ok(controller.signal.aborted, 'it was cancelled during the encode');
  const after = (await shenbi.store.artifacts.list({ limit: 10_000 })).filter((a) => a.kind === 'video').length;
  assert.equal(after, before, 'no video stored');
  // The job is marked cancelled as soon as it is aborted; the step unwinds (ffmpeg killed, folders removed) just after.
  const work = workRootOf(home);
  let left: string[] = [];
  for (let tries = 0; tries < 50; tries++) {
    left = await readdir(work).catch(() => []);
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(left, [], 'no work folder left behind');
});

test('bad input to video.short fails clearly and stores nothing: no pictures, an invalid script, a music file outside the media roots', async () => {
  const spec: PipelineSpecInput = {
    id: 'short-step',
    title: 'The short step alone',
    inputs: { script: { type: 'json' }, pictures: { type: 'json' }, music: { type: 'string', optional: true } },
    steps: [{ id: 'short', uses: 'video.short', with: { script: { $from: 'inputs.script' }, pictures: { $from: 'inputs.pictures' }, music: { $from: 'inputs.music' } } }],
    outputs: { video: { $from: 'short.video' } },
  };
  const videos = async () => (await shenbi.store.artifacts.list({ limit: 10_000 })).filter((a) => a.kind === 'video').length;
  const before = await videos();
  const card = (await shenbi.store.artifacts.list({ limit: 10_000 })).find((a) => a.kind === 'image')!.id;
  const failure = async (input: Record<string, unknown>) => {
    const job = await shenbi.run(spec, input);
    assert.equal(job.status, 'failed');
    return job.error!;
  };
  const noPictures = await failure({ script: FIXED_SCRIPT, pictures: [] });
  assert.equal(noPictures.code, 'INVALID_INPUT');
  assert.match(noPictures.message, /pictures/);
  const noScenes = await failure({ script: { title: 'Empty', scenes: [] }, pictures: [{ artifact: card, source: 'card' }] });
  assert.equal(noScenes.code, 'INVALID_INPUT');
  assert.match(noScenes.message, /scenes/);
  const outside = await failure({ script: FIXED_SCRIPT, pictures: [{ artifact: card, source: 'card' }], music: '/etc/passwd' });
  assert.equal(outside.code, 'PATH_NOT_ALLOWED');
  assert.equal(await videos(), before, 'nothing stored');
});
