import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { ProviderConfig } from '../../src/engines/providers/index.ts';
import { decodeAudio } from '../../src/media/audio/encode.ts';
import { integratedLoudness, truePeakDb } from '../../src/media/audio/loudness.ts';
import { cloudMusicStep } from '../../src/pipelines/steps/music/cloud-music-step.ts';
import { cloudSpeechStep } from '../../src/pipelines/steps/speech/cloud-speech-step.ts';
import { providerSpeechModel } from '../../src/engines/providers/index.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';

/**
 * Cloud music (ElevenLabs, Replicate, fal) and cloud TTS (OpenAI) through `generate music` /
 * `generate speech`, against 127.0.0.1 servers that speak each API's wire protocol. The audio
 * they return is a real MP3/WAV made by ffmpeg, so decoding, mastering and labeling are real.
 */

const dir = mkdtempSync(join(tmpdir(), 'shenbi-cloud-music-'));
const mp3Path = join(dir, 'served.mp3');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-af', 'volume=0.2', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '64k', mp3Path]);
const mp3 = readFileSync(mp3Path);
const wavPath = join(dir, 'served.wav');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=1', '-ac', '1', '-ar', '24000', wavPath]);
const wav = readFileSync(wavPath);
const corrupt = Buffer.from('ID3 this is not audio at all, just some bytes '.repeat(40));

const KEYS = { SHENBI_TEST_EL_KEY: 'el-key-1', SHENBI_TEST_REPLICATE: 'r8_test', SHENBI_TEST_FAL: 'fal-key-1', SHENBI_TEST_OPENAI: 'sk-test-9' };
Object.assign(process.env, KEYS);

type Route = (req: RecordedRequest, res: ServerResponse, server: FakeServer) => void | Promise<void>;
let route: Route = (_req, res) => sendJson(res, 500, { detail: 'no route set' });
let server: FakeServer;
let shenbi: Shenbi;
let home: string;

function audio(res: ServerResponse, bytes: Buffer, type = 'audio/mpeg', headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

/** The job's failure code, whether generate rejects or returns a failed job. */
async function failureOf(run: Promise<{ status: string; error: { code?: string; message?: string; hint?: string } | null }>): Promise<{ code: string; message: string; hint?: string | undefined }> {
  try {
    const job = await run;
    assert.equal(job.status, 'failed', 'the job should fail');
    return { code: String(job.error?.code), message: String(job.error?.message), hint: job.error?.hint };
  } catch (error) {
    assert.ok(error instanceof ShenbiError, String(error));
    return { code: error.code, message: error.message, hint: error.hint };
  }
}

async function artifactOf(id: unknown) {
  return shenbi.store.artifacts.get(String(id));
}

before(async () => {
  server = await startFakeServer((req, res) => route(req, res, server));
  home = mkdtempSync(join(tmpdir(), 'shenbi-cloud-music-home-'));
  const providers: ProviderConfig[] = [
    // The preset names, rebased onto the fake: what a proxy or test config does.
    { name: 'elevenlabs', kind: 'elevenlabs', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'SHENBI_TEST_EL_KEY' },
    { name: 'replicate', kind: 'replicate', baseURL: `${server.baseURL}/replicate/v1`, apiKeyEnv: 'SHENBI_TEST_REPLICATE' },
    { name: 'fal', kind: 'fal', baseURL: `${server.baseURL}/fal`, apiKeyEnv: 'SHENBI_TEST_FAL' },
    { name: 'openai', kind: 'openai', baseURL: `${server.baseURL}/openai/v1`, apiKeyEnv: 'SHENBI_TEST_OPENAI' },
  ];
  const retry = { retries: 2, baseDelayMs: 5, maxDelayMs: 2_000 };
  const steps = [
    cloudMusicStep(() => ({ providers, retry, pollMs: 20 })),
    cloudSpeechStep({ resolve: (spec) => providerSpeechModel(spec, { providers }), keyEnv: (spec) => providers.find((p) => p.name === spec.split(':')[0])?.apiKeyEnv, retry }),
  ];
  const overrides = { home, providers, c2pa: { enabled: false, keysDir: join(home, 'keys') } };
  try {
    shenbi = await Shenbi.open({ overrides, steps });
  } catch (error) {
    // Once engine-steps.ts registers these step types itself, extra copies are refused.
    if (!(error instanceof ShenbiError && error.code === 'INTERNAL')) throw error;
    shenbi = await Shenbi.open({ overrides });
  }
});

after(async () => {
  await shenbi?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

async function assertMasteredLabeled(id: unknown, format: 'mp3' | 'wav') {
  const artifact = await artifactOf(id);
  assert.ok(artifact, 'artifact stored');
  assert.equal(artifact.mimeType, format === 'mp3' ? 'audio/mpeg' : 'audio/wav');
  assert.ok(artifact.labels.length >= 1, `labels: ${JSON.stringify(artifact.labels)}`);
  assert.ok(artifact.labels.some((l) => l.type.startsWith('aigc')), `an AIGC label: ${JSON.stringify(artifact.labels.map((l) => l.type))}`);
  const { bytes } = await shenbi.store.artifacts.read(artifact.id);
  const pcm = await decodeAudio(bytes);
  return { artifact, pcm, lufs: integratedLoudness(pcm), peak: truePeakDb(pcm) };
}

describe('cloud music', () => {
  test('ElevenLabs music_v1: POST /v1/music with xi-api-key and a composition plan from the lyrics; mastered to −14 LUFS and labeled', async () => {
    route = (req, res) => (req.url.startsWith('/v1/music') ? audio(res, mp3, 'audio/mpeg', { 'song-id': 'song-42' }) : sendJson(res, 404, { detail: 'no' }));
    const job = await shenbi.generate('music', { model: 'elevenlabs:music_v1', lyrics: '[Verse]\n春风吹过山岗\n灯火照亮家乡\n\n[Chorus]\n祝你平安喜乐', recipient: '奶奶', prompt: '健康长寿', mood: 'festive', duration: 20, format: 'mp3', seed: 7 });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const req = server.requests.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v1/music?output_format=mp3_44100_128');
    assert.equal(req.headers['xi-api-key'], 'el-key-1');
    assert.equal(req.body.model_id, 'music_v1');
    assert.equal(req.body.prompt, undefined, 'a plan and a prompt are exclusive');
    const plan = req.body.composition_plan as { positive_global_styles: string[]; sections: { section_name: string; lines: string[]; duration_ms: number }[] };
    assert.match(plan.positive_global_styles[0]!, /festive pop song.*For 奶奶: 健康长寿/);
    assert.deepEqual(plan.sections.map((s) => [s.section_name, s.lines]), [['Verse', ['春风吹过山岗', '灯火照亮家乡']], ['Chorus', ['祝你平安喜乐']]]);
    assert.ok(Math.abs(plan.sections.reduce((n, s) => n + s.duration_ms, 0) - 20_000) < 10);
    const { artifact, pcm, lufs, peak } = await assertMasteredLabeled(job.outputs!.song, 'mp3');
    assert.ok(Math.abs(lufs - -14) <= 1, `${lufs} LUFS`);
    assert.ok(peak <= -0.5, `${peak} dBTP`);
    assert.ok(Math.abs(pcm.samples.length / pcm.sampleRate - 2) < 0.2);
    assert.equal(artifact.provenance.model?.name, 'elevenlabs:music_v1');
  });

  test('ElevenLabs sound generation: POST /v1/sound-generation with text and duration_seconds', async () => {
    route = (req, res) => audio(res, mp3);
    const job = await shenbi.generate('music', { model: 'elevenlabs:sound-generation', prompt: 'firecrackers at new year', vocals: 'none', duration: 5, format: 'wav' });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const req = server.requests.at(-1)!;
    assert.equal(req.url, '/v1/sound-generation?output_format=mp3_44100_128');
    assert.equal(req.body.duration_seconds, 5);
    assert.equal(req.body.text, 'firecrackers at new year', 'sound effects get the words as given');
    await assertMasteredLabeled(job.outputs!.song, 'wav');
  });

  test('Replicate MusicGen: prediction created with Bearer auth, polled until succeeded, output downloaded without the key', async () => {
    let polls = 0;
    route = (req, res, s) => {
      if (req.method === 'POST' && req.url === '/replicate/v1/models/meta/musicgen/predictions') {
        return sendJson(res, 201, { id: 'p1', status: 'starting', urls: { get: `${s.baseURL}/replicate/v1/predictions/p1`, cancel: `${s.baseURL}/replicate/v1/predictions/p1/cancel` } });
      }
      if (req.url === '/replicate/v1/predictions/p1') {
        polls++;
        return sendJson(res, 200, polls < 2 ? { id: 'p1', status: 'processing', urls: { get: `${s.baseURL}/replicate/v1/predictions/p1` } } : { id: 'p1', status: 'succeeded', output: `${s.baseURL}/delivery/out.mp3`, urls: { get: `${s.baseURL}/replicate/v1/predictions/p1` } });
      }
      if (req.url === '/delivery/out.mp3') return audio(res, mp3);
      sendJson(res, 404, { detail: 'Not found.' });
    };
    const first = server.requests.length;
    const job = await shenbi.generate('music', { model: 'replicate:meta/musicgen', prompt: 'a lullaby', duration: 8, seed: 3 });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const reqs = server.requests.slice(first);
    assert.deepEqual(reqs.map((r) => `${r.method} ${r.url}`), ['POST /replicate/v1/models/meta/musicgen/predictions', 'GET /replicate/v1/predictions/p1', 'GET /replicate/v1/predictions/p1', 'GET /delivery/out.mp3']);
    assert.equal(reqs[0]!.headers.authorization, 'Bearer r8_test');
    assert.match(String(reqs[0]!.headers.prefer), /^wait/);
    assert.deepEqual(reqs[0]!.body, { input: { prompt: 'A warm pop song with piano. A lullaby. Sing a short blessing in the language of the wish.', duration: 8, output_format: 'mp3', seed: 3 } });
    assert.equal(reqs[1]!.headers.authorization, 'Bearer r8_test', 'polling the API origin carries the key');
    const artifact = (await assertMasteredLabeled(job.outputs!.song, 'mp3')).artifact;
    assert.equal((artifact.provenance.parameters as Record<string, unknown>).providerRequestId, 'p1');
  });

  test('fal ACE-Step: queue submit with Key auth, status polled until COMPLETED, result fetched, audio downloaded', async () => {
    let polls = 0;
    route = (req, res, s) => {
      const base = `${s.baseURL}/fal/fal-ai/ace-step/requests/q1`;
      if (req.method === 'POST' && req.url === '/fal/fal-ai/ace-step') return sendJson(res, 200, { request_id: 'q1', status_url: `${base}/status`, response_url: base, cancel_url: `${base}/cancel` });
      if (req.url === '/fal/fal-ai/ace-step/requests/q1/status') return sendJson(res, 200, { status: ++polls < 3 ? (polls === 1 ? 'IN_QUEUE' : 'IN_PROGRESS') : 'COMPLETED', queue_position: 0 });
      if (req.url === '/fal/fal-ai/ace-step/requests/q1') return sendJson(res, 200, { audio: { url: `${s.baseURL}/media/ace.mp3`, content_type: 'audio/mpeg', file_name: 'ace.mp3' }, seed: 11, tags: 'x', lyrics: 'y' });
      if (req.url === '/media/ace.mp3') return audio(res, mp3);
      sendJson(res, 404, { detail: 'Not found' });
    };
    const first = server.requests.length;
    const job = await shenbi.generate('music', { model: 'fal:fal-ai/ace-step', lyrics: 'Happy birthday to you\nMay your days be bright', genre: 'folk', duration: 30 });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const reqs = server.requests.slice(first);
    assert.equal(reqs[0]!.headers.authorization, 'Key fal-key-1');
    assert.deepEqual(reqs[0]!.body, { tags: 'A warm folk song with piano.', lyrics: 'Happy birthday to you\nMay your days be bright', duration: 30 });
    assert.equal(polls, 3);
    assert.equal(reqs.at(-1)!.url, '/media/ace.mp3');
    await assertMasteredLabeled(job.outputs!.song, 'mp3');
  });

  test('429 with Retry-After is waited out and retried; the song is made', async () => {
    let calls = 0;
    route = (req, res) => (++calls === 1 ? sendJson(res, 429, { detail: { status: 'too_many_concurrent_requests', message: 'slow down' } }, { 'retry-after': '1' }) : audio(res, mp3));
    const started = Date.now();
    const job = await shenbi.generate('music', { model: 'elevenlabs:music_v1', prompt: 'a short jingle', duration: 10 });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    assert.equal(calls, 2);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
  });

  test('401 is PROVIDER_REJECTED with the provider message and the key variable; 5xx is PROVIDER_UNAVAILABLE after retries', async () => {
    route = (req, res) => sendJson(res, 401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } });
    const rejected = await failureOf(shenbi.generate('music', { model: 'elevenlabs:music_v1', prompt: 'x' }));
    assert.equal(rejected.code, 'PROVIDER_REJECTED');
    assert.match(rejected.message, /Invalid API key/);
    assert.match(String(rejected.hint), /SHENBI_TEST_EL_KEY/);

    let calls = 0;
    route = (req, res) => {
      calls++;
      sendJson(res, 503, { detail: 'Service is temporarily unavailable' });
    };
    const unavailable = await failureOf(shenbi.generate('music', { model: 'replicate:meta/musicgen', prompt: 'x' }));
    assert.equal(unavailable.code, 'PROVIDER_UNAVAILABLE');
    assert.match(unavailable.message, /temporarily unavailable/);
    assert.ok(calls >= 3, `${calls} attempts`);
  });

  test('corrupt audio from the provider is MEDIA_INVALID and nothing is stored', async () => {
    route = (req, res) => audio(res, corrupt);
    const before = (await shenbi.store.artifacts.list()).length;
    const failed = await failureOf(shenbi.generate('music', { model: 'elevenlabs:music_v1', prompt: 'x' }));
    assert.equal(failed.code, 'MEDIA_INVALID');
    assert.equal((await shenbi.store.artifacts.list()).length, before);
  });

  test('a failed Replicate prediction keeps its error', async () => {
    route = (req, res, s) => sendJson(res, 201, { id: 'p2', status: 'failed', error: 'CUDA out of memory', urls: { get: `${s.baseURL}/replicate/v1/predictions/p2` } });
    const failed = await failureOf(shenbi.generate('music', { model: 'replicate:meta/musicgen', prompt: 'x' }));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /CUDA out of memory/);
  });
});

describe('cloud speech in generate speech', () => {
  test('openai:tts-1: voice, speed and wav asked for; loudness-normalized, encoded to mp3, labeled; timings say there are none', async () => {
    route = (req, res) => audio(res, wav, 'audio/wav');
    const job = await shenbi.generate('speech', { text: '你好，旅人。欢迎来到小镇。', model: 'openai:tts-1', voice: 'alloy', speed: 1.25, format: 'mp3' });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const req = server.requests.at(-1)!;
    assert.equal(req.url, '/openai/v1/audio/speech');
    assert.equal(req.headers.authorization, 'Bearer sk-test-9');
    assert.deepEqual([req.body.model, req.body.voice, req.body.speed, req.body.response_format], ['tts-1', 'alloy', 1.25, 'wav']);
    const { lufs, peak, pcm } = await assertMasteredLabeled(job.outputs!.audio, 'mp3');
    assert.ok(Math.abs(lufs - -16) <= 1, `${lufs} LUFS`);
    assert.ok(peak <= -0.5);
    assert.ok(Math.abs(pcm.samples.length / pcm.sampleRate - 1) < 0.2);
    const timings = JSON.parse((await shenbi.store.artifacts.read(String(job.outputs!.timings))).bytes.toString('utf8'));
    assert.equal(timings.wordTimings, false);
    assert.deepEqual(timings.words, []);
  });

  test('openai speech: 429 retried, 401 rejected with its message, corrupt audio refused', async () => {
    let calls = 0;
    route = (req, res) => (++calls === 1 ? sendJson(res, 429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, { 'retry-after': '0' }) : audio(res, wav, 'audio/wav'));
    const ok = await shenbi.generate('speech', { text: 'Hello there.', model: 'openai:tts-1' });
    assert.equal(ok.status, 'completed', JSON.stringify(ok.error));
    assert.equal(calls, 2);

    route = (req, res) => sendJson(res, 401, { error: { message: 'Incorrect API key provided: sk-test-9', type: 'invalid_request_error' } });
    const rejected = await failureOf(shenbi.generate('speech', { text: 'Hello.', model: 'openai:tts-1' }));
    assert.equal(rejected.code, 'PROVIDER_REJECTED');
    assert.match(rejected.message, /Incorrect API key/);

    route = (req, res) => audio(res, corrupt, 'audio/wav');
    const before = (await shenbi.store.artifacts.list()).length;
    const invalid = await failureOf(shenbi.generate('speech', { text: 'Hello.', model: 'openai:tts-1' }));
    assert.equal(invalid.code, 'MEDIA_INVALID');
    assert.equal((await shenbi.store.artifacts.list()).length, before);
  });
});

describe('routing', () => {
  test('cloud specs route to music.cloud / speech.cloud; other models keep the local engines', async () => {
    const { pipelineForTask } = await import('../../src/pipelines/task-pipelines.ts');
    const uses = (kind: string, input: Record<string, unknown>) => pipelineForTask(kind, input).steps.map((s) => s.uses);
    assert.deepEqual(uses('music', { lyrics: 'la la', model: 'fal:fal-ai/stable-audio' }), ['music.cloud']);
    assert.deepEqual(uses('music', { prompt: 'a wish', model: 'replicate' }), ['music.cloud']);
    assert.deepEqual(uses('music', { prompt: 'a wish', model: 'stories260k' }), ['music.lyrics', 'music.song']);
    assert.deepEqual(uses('speech', { text: 'hi', model: 'elevenlabs:eleven_multilingual_v2' }), ['speech.cloud']);
    assert.deepEqual(uses('speech', { text: 'hi' }), ['speech.synthesize']);
    // A bare model name is an installed Piper voice (MODEL_NOT_INSTALLED at run time when it is not).
    assert.deepEqual(uses('speech', { text: 'hi', model: 'piper-voice' }), ['speech.piper']);
    assert.deepEqual(uses('speech', { text: 'hi', voice: 'piper:amy' }), ['speech.piper']);
  });
});
