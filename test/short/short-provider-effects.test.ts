import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LOCAL_CALLER } from '../../src/core/job-caller.ts';
import type { StepContext } from '../../src/core/step.ts';
import { falInput } from '../../src/engines/cloud-music/fal-music.ts';
import { EFFECT_SECONDS } from '../../src/engines/sfx/index.ts';
import { shortEffects } from '../../src/pipelines/steps/short/short-sources.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { EFFECT_DESCRIPTIONS } from '../../src/pipelines/steps/short/provider-effects.ts';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';

/**
 * Sound effects from a provider's sound model (`effectsModel`): a 127.0.0.1 server speaking
 * ElevenLabs' POST /v1/sound-generation (a real MP3 made with ffmpeg), failing with a 500 for
 * the bell; the user's folder still wins for the whoosh. Everything else real (eSpeak, cards,
 * the mixer, ffmpeg); no music and two scenes keep it fast.
 */

let home: string;
let server: FakeServer;
let shenbi: Shenbi;
const MP3_SECONDS = 1.2;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-short-sfx-model-'));
  const mp3 = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=660:duration=${MP3_SECONDS}`, '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', '-']);
  server = await startFakeServer((req, res) => {
    if (String(req.body.text).includes('bell')) return sendJson(res, 500, { detail: { status: 'internal', message: 'sound engine down' } }, { 'retry-after': '0' });
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'request-id': `req-${server.requests.length}` });
    res.end(mp3);
  });
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=0.4', join(home, 'whoosh.wav')]);
  shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [home], providers: [{ name: 'elevenlabs', kind: 'elevenlabs', baseURL: `${server.baseURL}/v1` }] }, env: process.env });
});
after(async () => {
  await shenbi.close();
  await server.close();
  await rm(home, { recursive: true, force: true });
});

interface EffectSource { effect: string; time: number; source: string; seed?: number; model?: string; requestId?: string | null; fallbackFrom?: string; reason?: string }

test('effectsModel: one request per effect (its description and length), used at every cue; the folder wins; a 500 falls back to synthesis with a warning', { timeout: 120_000 }, async () => {
  const script = {
    title: 'Two bells',
    mood: 'warm',
    language: 'en',
    scenes: [
      { narration: 'The chime rings.', sounds: [{ effect: 'chime', at: 'start' }, { effect: 'bell', at: 'end' }] },
      { narration: 'It rings again.', sounds: [{ effect: 'chime', at: 'middle' }] },
    ],
  };
  const messages: string[] = [];
  const job = await shenbi.run('short', { script, music: 'none', effects: home, effectsModel: 'elevenlabs:sound-generation', seed: 4 }, {
    onEvent: (e) => { if (e.type === 'step.progress' && e.stepId === 'short' && e.message) messages.push(e.message); },
  });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const steps = await shenbi.store.jobs.steps(job.id);
  const sources = (steps.find((s) => s.stepId === 'short')!.outputs as { sources: { effects: EffectSource[] } }).sources.effects;

  // The whoosh (title card) comes from the folder and is never asked for; the chime once for its two cues; the bell until the retries give up (Retry-After: 0, no wait).
  const asked = server.requests.map((r) => ({ url: r.url, text: r.body.text, seconds: r.body.duration_seconds }));
  assert.ok(asked.every((r) => r.url.startsWith('/v1/sound-generation')), JSON.stringify(asked));
  assert.deepEqual([...new Set(asked.map((r) => r.text))], [EFFECT_DESCRIPTIONS.chime, EFFECT_DESCRIPTIONS.bell], 'only the effects the folder lacks, each by its description');
  assert.equal(asked.filter((r) => r.text === EFFECT_DESCRIPTIONS.chime).length, 1, 'one request for both chime cues');
  assert.equal(asked.find((r) => r.text === EFFECT_DESCRIPTIONS.chime)!.seconds, EFFECT_SECONDS.chime);
  assert.equal(asked.find((r) => r.text === EFFECT_DESCRIPTIONS.bell)!.seconds, EFFECT_SECONDS.bell);

  assert.deepEqual(sources.map((e) => [e.effect, e.source]), [['whoosh', 'folder'], ['chime', 'provider'], ['bell', 'synthesized'], ['chime', 'provider']]);
  for (const chime of sources.filter((e) => e.effect === 'chime')) {
    assert.equal(chime.model, 'elevenlabs:sound-generation');
    assert.match(String(chime.requestId), /^req-\d+$/);
  }
  const bell = sources.find((e) => e.effect === 'bell')!;
  assert.equal(bell.fallbackFrom, 'elevenlabs:sound-generation');
  assert.match(bell.reason!, /sound engine down|500/);
  assert.equal(typeof bell.seed, 'number', 'the synthesised bell keeps its seed');
  assert.ok(messages.some((m) => /sound effect bell from elevenlabs:sound-generation failed .*Shenbi's own/.test(m)), `a warning in the progress: ${messages.join(' | ')}`);
});

test('a provider effect is decoded at the asked rate, cut to the effect’s length, one sound for every cue of it', async () => {
  const context: StepContext = {
    jobId: 'job_test', stepId: 'short', attempt: 1, caller: LOCAL_CALLER, signal: new AbortController().signal,
    progress: () => {}, partial: () => {}, writeArtifact: () => Promise.reject(new Error('not here')), readArtifact: () => Promise.reject(new Error('not here')),
  };
  const placed = [{ effect: 'pop' as const, time: 1, scene: 0 }, { effect: 'chime' as const, time: 2, scene: 0 }, { effect: 'pop' as const, time: 3, scene: 1 }];
  const providers = () => ({ providers: [{ name: 'elevenlabs', kind: 'elevenlabs' as const, baseURL: `${server.baseURL}/v1` }], retry: { retries: 0 } });
  const effects = await shortEffects(context, placed, { folder: undefined, media: undefined, seed: 1, sampleRate: 48_000, model: 'elevenlabs:sound-generation', providers });
  assert.deepEqual(effects.map((e) => e.source), ['provider', 'provider', 'provider']);
  assert.equal(effects[0]!.audio, effects[2]!.audio, 'both pops are the one answer');
  assert.equal(effects[0]!.audio.sampleRate, 48_000);
  assert.equal(effects[0]!.audio.samples.length, Math.round(EFFECT_SECONDS.pop * 48_000), 'the 1.2 s answer cut to a pop’s 0.3 s');
  assert.ok(Math.abs(effects[1]!.audio.samples.length / 48_000 - MP3_SECONDS) < 0.1, 'a shorter answer is kept whole (the MP3’s 1.2 s, not looped to the chime’s 2.5 s)');
  assert.ok(effects[1]!.audio.samples.some((v) => Math.abs(v) > 0.1), 'the MP3 decoded, not silence');
});

test('fal Stable Audio is asked for at least a whole second (a pop is 0.3 s)', () => {
  assert.deepEqual(falInput({ prompt: EFFECT_DESCRIPTIONS.pop, durationSec: EFFECT_SECONDS.pop, instrumental: true }, 'fal-ai/stable-audio'), { prompt: EFFECT_DESCRIPTIONS.pop, seconds_total: 1 });
});

test('effectsModel must name a provider model', async () => {
  const job = await shenbi.run('short', { script: 'T\nOne scene.', music: 'none', effectsModel: 'whoosh.wav' });
  assert.equal(job.status, 'failed');
  assert.equal(job.error?.code, 'INVALID_INPUT');
  assert.match(job.error!.message, /effectsModel/);
});
