import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LOCAL_CALLER } from '../../src/core/job-caller.ts';
import type { StepContext } from '../../src/core/step.ts';
import { cueTime, shortScriptSchema } from '../../src/engines/short/short-script.ts';
import { fitLength, isProviderMusic, shortEffects, shortMusic, type MusicRequest } from '../../src/pipelines/steps/short/short-sources.ts';
import { clipDurations, CROSS_FADE_SECONDS, MIN_SCENE_SECONDS, shortTimeline, TITLE_CARD_SECONDS } from '../../src/pipelines/steps/short/short-timeline.ts';
import { withTitleCard } from '../../src/pipelines/steps/short/title-card.ts';
import { narrationAss } from '../../src/engines/video/narration-ass.ts';
import { parseAss } from '../../src/media/subtitles/index.ts';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/** The short's composition pieces without an encode: its timeline, title card, music and effect sources. */

const script = shortScriptSchema.parse({
  title: 'Three scenes',
  scenes: [
    { narration: 'One.', sounds: [{ effect: 'pop', at: 'start' }] },
    { narration: 'Two is longer.', sounds: [{ effect: 'chime', at: 'middle' }, { effect: 'bell', at: 'end' }] },
    { narration: 'Three.' },
  ],
});

test('timeline: a 2 s title card with a whoosh, scenes as long as their narration plus a gap (at least 2.5 s), cues at cueTime', () => {
  const timeline = shortTimeline(script, [0.8, 4, 1], { titleCard: true });
  assert.deepEqual(timeline.titleCard, { start: 0, end: TITLE_CARD_SECONDS });
  assert.equal(timeline.scenes[0]!.start, TITLE_CARD_SECONDS);
  assert.equal(timeline.scenes[0]!.end - timeline.scenes[0]!.start, MIN_SCENE_SECONDS, 'a short narration still gets 2.5 s');
  assert.ok(timeline.scenes[1]!.end - timeline.scenes[1]!.start > 4, 'a long narration sets its scene length');
  for (let i = 1; i < 3; i++) assert.equal(timeline.scenes[i]!.start, timeline.scenes[i - 1]!.end, 'scenes follow each other');
  for (const [i, start] of timeline.narrationStarts.entries()) assert.ok(start > timeline.scenes[i]!.start && start < timeline.scenes[i]!.end);
  assert.equal(timeline.duration, timeline.scenes[2]!.end);
  assert.deepEqual(
    timeline.effects.map((e) => [e.effect, e.time]),
    [
      ['whoosh', cueTime(timeline.titleCard!, 'start')],
      ['pop', cueTime(timeline.scenes[0]!, 'start')],
      ['chime', cueTime(timeline.scenes[1]!, 'middle')],
      ['bell', cueTime(timeline.scenes[1]!, 'end')],
    ],
  );
  const plain = shortTimeline(script, [0.8, 4, 1], { titleCard: false });
  assert.equal(plain.titleCard, null);
  assert.equal(plain.scenes[0]!.start, 0);
  assert.ok(plain.effects.every((e) => e.effect !== 'whoosh'), 'no title card, no whoosh');
});

test('clip lengths: with cross-fades, xfade offsets fall on the spans’ starts and the video lasts the timeline', () => {
  const { scenes, duration } = shortTimeline(script, [0.8, 4, 1], { titleCard: true });
  const lengths = clipDurations(scenes, CROSS_FADE_SECONDS);
  // composeVideo: offset_i = Σ_{j<i} (length_j − fade); total = Σ length − fade·(n−1).
  let offset = scenes[0]!.start;
  for (let i = 1; i < scenes.length; i++) {
    offset += lengths[i - 1]! - CROSS_FADE_SECONDS;
    assert.ok(Math.abs(offset - scenes[i]!.start) < 1e-9);
  }
  const total = lengths.reduce((a, b) => a + b, 0) - CROSS_FADE_SECONDS * (lengths.length - 1);
  assert.ok(Math.abs(total - (duration - scenes[0]!.start)) < 1e-9);
  assert.ok(lengths.every((l) => l > CROSS_FADE_SECONDS), 'every clip outlasts the fade');
});

test('title card: a Title style and the title as one event over its span, the rest of the ASS kept', () => {
  const base = narrationAss([{ text: 'Cap', start: 2, end: 4 }], [{ start: 2.2, end: 3, lines: ['One.'] }], { width: 720, height: 1280 });
  const ass = withTitleCard(base, 'Big {Title}', { start: 0, end: 2 }, { width: 720, height: 1280 });
  assert.match(ass, /^Style: Title,Noto Sans CJK SC,\d+,/m);
  const cues = parseAss(ass);
  const title = cues.find((c) => c.lines.join(' ').includes('Big'));
  assert.ok(title, 'the title event');
  assert.deepEqual([title.start, title.end], [0, 2]);
  assert.ok(cues.some((c) => c.lines.includes('One.')) && cues.some((c) => c.lines.includes('Cap')), 'captions and subtitles kept');
});

test('music specs: provider:model is a provider; ids, paths and URLs are tracks', () => {
  assert.ok(isProviderMusic('elevenlabs:music_v1'));
  assert.ok(isProviderMusic('fal:fal-ai/ace-step'));
  assert.ok(isProviderMusic('replicate'.concat(':meta/musicgen')));
  for (const track of ['art_abc123', 'upl_x1', '/music/song.mp3', 'C:\\music\\song.mp3', 'https://example.com/a.mp3', 'song.wav']) assert.ok(!isProviderMusic(track), track);
});

test('fitLength loops a short track and cuts a long one, to the sample', () => {
  const audio = { sampleRate: 10, samples: Float32Array.from([1, 2, 3]) };
  assert.deepEqual([...fitLength(audio, 7).samples], [1, 2, 3, 1, 2, 3, 1]);
  assert.deepEqual([...fitLength(audio, 2).samples], [1, 2]);
  assert.throws(() => fitLength({ sampleRate: 10, samples: new Float32Array(0) }, 5), { code: 'MEDIA_INVALID' });
});

let dir: string;
let server: FakeServer;
let failing = true;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-short-compose-'));
  // ElevenLabs' music API: first a server error, later a short WAV.
  const wav = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=1.5', '-ar', '44100', '-f', 'wav', '-']);
  server = await startFakeServer((req, res) => {
    if (failing) return sendJson(res, 500, { detail: { status: 'internal', message: 'music engine down' } });
    res.writeHead(200, { 'content-type': 'audio/wav' });
    res.end(wav);
  });
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=0.4', join(dir, 'Whoosh.wav')]);
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function context(): StepContext {
  return {
    jobId: 'job_test',
    stepId: 'short',
    attempt: 1,
    caller: LOCAL_CALLER,
    signal: new AbortController().signal,
    progress: () => {},
    partial: () => {},
    writeArtifact: () => Promise.reject(new Error('not here')),
    readArtifact: () => Promise.reject(new Error('not here')),
  };
}

const request = (music: string | undefined): MusicRequest => ({
  music,
  mood: 'warm',
  seconds: 4,
  seed: 3,
  sampleRate: 44_100,
  media: { roots: [TESTDATA, dir] },
  providers: () => ({ providers: [{ name: 'elevenlabs', kind: 'elevenlabs', baseURL: `${server.baseURL}/v1` }], retry: { retries: 0 } }),
});

test('music: none is none; the user’s track is looped to the exact length; a provider’s music is used when it answers', async () => {
  const none = await shortMusic(context(), request('none'));
  assert.equal(none.audio, undefined);
  assert.deepEqual(none.source, { kind: 'none' });

  const track = await shortMusic(context(), { ...request(join(TESTDATA, 'jfk.wav')), seconds: 13.5 });
  assert.equal(track.audio!.samples.length, Math.round(13.5 * 44_100), 'jfk.wav (11 s) looped to 13.5 s');
  assert.equal(track.source.kind, 'track');

  failing = false;
  const provided = await shortMusic(context(), request('elevenlabs:music_v1'));
  assert.equal(provided.source.kind, 'provider');
  assert.equal(provided.audio!.samples.length, 4 * 44_100, 'the provider’s 1.5 s looped to 4 s');
  assert.deepEqual(provided.warnings, []);
});

test('music: a provider that fails falls back to the composer’s bed, with a warning and the reason in the source', async () => {
  failing = true;
  const music = await shortMusic(context(), request('elevenlabs:music_v1'));
  assert.equal(music.audio!.samples.length / music.audio!.sampleRate, 4, 'the bed, exactly as long as the video');
  assert.equal(music.source.kind, 'composer');
  assert.equal('fallbackFrom' in music.source && music.source.fallbackFrom, 'elevenlabs:music_v1');
  assert.match(music.warnings[0]!, /elevenlabs:music_v1 failed .*composer's bed/);
});

test('effects: the user’s folder wins where it has the effect (any case), synthesis elsewhere; a folder outside the roots is refused', async () => {
  const placed = [
    { effect: 'whoosh' as const, time: 0.05, scene: null },
    { effect: 'pop' as const, time: 2, scene: 0 },
  ];
  const effects = await shortEffects(context(), placed, { folder: dir, media: { roots: [dir] }, seed: 5, sampleRate: 44_100 });
  assert.deepEqual(effects.map((e) => [e.effect, e.source, e.time]), [['whoosh', 'folder', 0.05], ['pop', 'synthesized', 2]]);
  assert.ok(Math.abs(effects[0]!.audio.samples.length / 44_100 - 0.4) < 0.01, 'the user’s own whoosh');
  assert.equal(effects[1]!.seed, 6, 'seed + the cue’s index');
  await assert.rejects(shortEffects(context(), placed, { folder: dir, media: { roots: [TESTDATA] }, seed: 5, sampleRate: 44_100 }), { code: 'PATH_NOT_ALLOWED' });
});
