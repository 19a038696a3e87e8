import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { generateTalkingHeadVideo, isTalkingHeadProviderModel, type TalkingHeadOptions, type TalkingHeadProviders } from '../../src/engines/cloud-talking-head/index.ts';
import type { ProviderConfig } from '../../src/engines/providers/index.ts';
import { probeMedia, runFfmpeg } from '../../src/engines/video/run-ffmpeg.ts';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * Cloud talking-head adapters (fal queue, Replicate predictions, D-ID talks) against 127.0.0.1
 * servers speaking each API's wire protocol: submit → a few queued/running polls → download of
 * a real MP4 from a second "CDN" server; provider failures, 429 with Retry-After, a missing key,
 * results that are not MP4s, cancellation, and what the servers received (the real portrait
 * and speech from /work/shared/testdata).
 */

type Route = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;
let route: Route = (_req, res) => sendJson(res, 500, { detail: 'no route set' });
let cdnRoute: Route = (_req, res) => sendJson(res, 404, { detail: 'no file' });
let api: FakeServer;
let cdn: FakeServer;
let portrait: Uint8Array;
let speech: Uint8Array;
let mp4: Uint8Array;
let work: string;
let settings: TalkingHeadProviders;
const env = { TEST_FAL: 'fal-test', TEST_REPLICATE: 'r8_test', TEST_DID: 'ZGlkOnRlc3Q=:secret' };

before(async () => {
  api = await startFakeServer((req, res) => route(req, res));
  cdn = await startFakeServer((req, res) => cdnRoute(req, res));
  portrait = new Uint8Array(await readFile(join(TESTDATA, 'portrait-astronaut.png')));
  speech = new Uint8Array(await readFile(join(TESTDATA, 'jfk.wav')));
  work = await mkdtemp(join(tmpdir(), 'shenbi-cloud-th-test-'));
  // A real, small talking-head-sized MP4 (H.264 + AAC), as the providers answer.
  const out = join(work, 'result.mp4');
  await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'], { output: out });
  mp4 = new Uint8Array(await readFile(out));
  const providers: ProviderConfig[] = [
    { name: 'fal', kind: 'fal', baseURL: `${api.baseURL}/fal`, apiKeyEnv: 'TEST_FAL' },
    { name: 'replicate', kind: 'replicate', baseURL: `${api.baseURL}/replicate/v1`, apiKeyEnv: 'TEST_REPLICATE' },
    { name: 'did', kind: 'did', baseURL: `${api.baseURL}/did`, apiKeyEnv: 'TEST_DID' },
  ];
  settings = { providers, env, pollMs: 10, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 3_000 } };
});

after(async () => {
  await api?.close();
  await cdn?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  api.requests.length = 0;
  cdn.requests.length = 0;
  cdnRoute = (_req, res) => sendBytes(res, mp4);
});

function sendBytes(res: ServerResponse, bytes: Uint8Array, type = 'video/mp4'): void {
  res.writeHead(200, { 'content-type': type, 'content-length': String(bytes.byteLength) });
  res.end(Buffer.from(bytes));
}

function options(model: string, extra: Partial<TalkingHeadOptions> = {}): TalkingHeadOptions {
  return { model, portrait: { bytes: portrait, mimeType: 'image/png' }, audio: { bytes: speech, mimeType: 'audio/wav' }, providers: settings, ...extra };
}

async function rejection(run: Promise<unknown>): Promise<ShenbiError> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof ShenbiError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

/** The bytes inside a `data:<type>;base64,…` URI, and its type. */
function fromDataUri(value: unknown): { type: string; bytes: Buffer } {
  assert.equal(typeof value, 'string');
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(value as string);
  assert.ok(match, `not a data URI: ${String(value).slice(0, 60)}`);
  return { type: match[1]!, bytes: Buffer.from(match[2]!, 'base64') };
}

const calls = () => api.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`);

/** The fal queue: `statuses` are answered in turn to status polls (the last one repeats). */
function falRoute(model: string, statuses: Record<string, unknown>[], response: (res: ServerResponse) => void = (res) => sendJson(res, 200, { video: { url: `${cdn.baseURL}/files/out.mp4`, content_type: 'video/mp4' } })): Route {
  let polls = 0;
  const base = `${api.baseURL}/fal/${model}/requests/req-1`;
  return (req, res) => {
    if (req.method === 'POST' && req.url === `/fal/${model}`) return sendJson(res, 200, { request_id: 'req-1', status_url: `${base}/status`, response_url: base, cancel_url: `${base}/cancel` });
    if (req.method === 'GET' && req.url.startsWith(`/fal/${model}/requests/req-1/status`)) return sendJson(res, 200, statuses[Math.min(polls++, statuses.length - 1)]);
    if (req.method === 'GET' && req.url === `/fal/${model}/requests/req-1`) return response(res);
    if (req.method === 'PUT' && req.url === `/fal/${model}/requests/req-1/cancel`) return sendJson(res, 202, { status: 'CANCELLATION_REQUESTED' });
    sendJson(res, 404, { detail: 'Not found' });
  };
}

const QUEUED_THEN_DONE = [
  { status: 'IN_QUEUE', queue_position: 2 },
  { status: 'IN_QUEUE', queue_position: 1 },
  { status: 'IN_PROGRESS', logs: [] },
  { status: 'COMPLETED', logs: [] },
];

describe('isTalkingHeadProviderModel', () => {
  test('fal, Replicate and D-ID specs (presets and configured names) go to a provider; others do not', () => {
    assert.equal(isTalkingHeadProviderModel('fal:fal-ai/sadtalker'), true);
    assert.equal(isTalkingHeadProviderModel('replicate:cjwbw/sadtalker:3aa3'), true);
    assert.equal(isTalkingHeadProviderModel('did:talks'), true);
    assert.equal(isTalkingHeadProviderModel('openai:gpt-4o-mini'), false);
    assert.equal(isTalkingHeadProviderModel('nobody:thing'), false);
    const mine: ProviderConfig[] = [{ name: 'my-fal', kind: 'fal', apiKeyEnv: 'MY_FAL' }];
    assert.equal(isTalkingHeadProviderModel('my-fal:fal-ai/sadtalker', { providers: mine }), true);
    assert.equal(isTalkingHeadProviderModel('my-fal:fal-ai/sadtalker', mine), true);
    assert.equal(isTalkingHeadProviderModel('my-fal:fal-ai/sadtalker', {}), false);
  });
});

describe('fal queue', () => {
  test('SadTalker: the portrait and speech are sent, the queue is polled with progress, the MP4 is downloaded without the key', async () => {
    route = falRoute('fal-ai/sadtalker', QUEUED_THEN_DONE);
    const progress: [number, string][] = [];
    const result = await generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { onProgress: (f, m) => progress.push([f, m]) }));
    assert.deepEqual(Buffer.from(result.bytes), Buffer.from(mp4));
    assert.equal(result.mimeType, 'video/mp4');
    assert.equal(result.provider, 'fal');
    assert.equal(result.model, 'fal-ai/sadtalker');
    assert.equal(result.requestId, 'req-1');
    const submit = api.requests.find((r) => r.method === 'POST')!;
    assert.equal(submit.headers.authorization, 'Key fal-test');
    const image = fromDataUri(submit.body.source_image_url);
    assert.equal(image.type, 'image/png');
    assert.ok(image.bytes.equals(Buffer.from(portrait)), 'the portrait arrives byte for byte');
    const audio = fromDataUri(submit.body.driven_audio_url);
    assert.equal(audio.type, 'audio/wav');
    assert.ok(audio.bytes.equals(Buffer.from(speech)), 'the speech arrives byte for byte');
    assert.equal(submit.body.preprocess, 'full');
    assert.equal(submit.body.still_mode, true);
    assert.equal(calls().filter((c) => c.endsWith('/status')).length, 4);
    assert.equal(cdn.requests.length, 1);
    assert.equal(cdn.requests[0]!.headers.authorization, undefined, 'the key never goes to the file host');
    const messages = progress.map(([, m]) => m);
    assert.ok(messages.includes('queued at position 2') && messages.includes('queued at position 1') && messages.includes('rendering'), messages.join(' | '));
    assert.deepEqual(progress.map(([f]) => f), [...progress.map(([f]) => f)].sort((a, b) => a - b), 'progress never goes back');
    assert.equal(progress.at(-1)![0], 1);
  });

  test('the caller\'s own model input is merged over the mapped fields', async () => {
    route = falRoute('fal-ai/sadtalker', [{ status: 'COMPLETED' }]);
    await generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { input: { expression_scale: 1.4, still_mode: false } }));
    const submit = api.requests.find((r) => r.method === 'POST')!;
    assert.equal(submit.body.expression_scale, 1.4);
    assert.equal(submit.body.still_mode, false);
  });

  test('LatentSync gets the portrait as an H.264 still video as long as the speech, plus the audio', async () => {
    route = falRoute('fal-ai/latentsync', [{ status: 'IN_PROGRESS' }, { status: 'COMPLETED' }]);
    const result = await generateTalkingHeadVideo(options('fal:fal-ai/latentsync'));
    assert.equal(result.requestId, 'req-1');
    const submit = api.requests.find((r) => r.method === 'POST')!;
    const video = fromDataUri(submit.body.video_url);
    assert.equal(video.type, 'video/mp4');
    assert.ok(fromDataUri(submit.body.audio_url).bytes.equals(Buffer.from(speech)));
    const path = join(work, 'sent-still.mp4');
    await writeFile(path, video.bytes);
    const [probedVideo, probedSpeech] = await Promise.all([probeMedia(path), probeMedia(join(TESTDATA, 'jfk.wav'))]);
    const stream = probedVideo.streams.find((s) => s.type === 'video');
    assert.equal(stream?.codec, 'h264');
    assert.equal(stream?.width, 512);
    assert.ok(Math.abs(probedVideo.duration - probedSpeech.duration) < 0.2, `still ${probedVideo.duration} s for ${probedSpeech.duration} s of speech`);
  });

  test('a failed request is PROVIDER_REJECTED with fal\'s own message', async () => {
    route = falRoute('fal-ai/sadtalker', [{ status: 'IN_PROGRESS' }, { status: 'COMPLETED', error: 'No face detected in the source image' }]);
    const failed = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker')));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /No face detected in the source image/);
    assert.equal(cdn.requests.length, 0);
  });

  test('a result answered with a validation error is PROVIDER_REJECTED with its detail', async () => {
    route = falRoute('fal-ai/sadtalker', [{ status: 'COMPLETED' }], (res) => sendJson(res, 422, { detail: [{ loc: ['body', 'driven_audio_url'], msg: 'Audio is too long', type: 'value_error' }] }));
    const failed = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker')));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /Audio is too long/);
  });

  test('429 with Retry-After: 1 is waited out, then the request is submitted once', async () => {
    const inner = falRoute('fal-ai/sadtalker', [{ status: 'COMPLETED' }]);
    let limited = false;
    route = (req, res) => {
      if (req.method === 'POST' && !limited) {
        limited = true;
        return sendJson(res, 429, { detail: 'Rate limit exceeded' }, { 'retry-after': '1' });
      }
      return inner(req, res);
    };
    const started = Date.now();
    const result = await generateTalkingHeadVideo(options('fal:fal-ai/sadtalker'));
    assert.equal(result.requestId, 'req-1');
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    assert.equal(calls().filter((c) => c.startsWith('POST')).length, 2, 'the 429, then the one accepted submission');
  });

  test('a status endpoint that keeps failing with 503 ends in PROVIDER_UNAVAILABLE after the retries', async () => {
    const inner = falRoute('fal-ai/sadtalker', [{ status: 'COMPLETED' }]);
    route = (req, res) => (req.url.includes('/status') ? sendJson(res, 503, { detail: 'Service Unavailable' }) : inner(req, res));
    const failed = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker')));
    assert.equal(failed.code, 'PROVIDER_UNAVAILABLE');
    assert.equal(calls().filter((c) => c.endsWith('/status')).length, 3, 'first try and two retries');
  });

  test('without a key nothing is sent: PROVIDER_KEY_MISSING names the variable', async () => {
    const failed = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { providers: { env: {} } })));
    assert.equal(failed.code, 'PROVIDER_KEY_MISSING');
    assert.match(failed.message, /FAL_KEY/);
    const did = await rejection(generateTalkingHeadVideo(options('did:talks', { providers: { env: {} } })));
    assert.equal(did.code, 'PROVIDER_KEY_MISSING');
    assert.match(did.message, /DID_API_KEY/);
    assert.equal(api.requests.length, 0);
  });

  test('a result that is not an MP4 (a picture, or a truncated MP4) is refused; nothing is returned', async () => {
    route = falRoute('fal-ai/sadtalker', [{ status: 'COMPLETED' }]);
    cdnRoute = (_req, res) => sendBytes(res, portrait);
    const picture = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker')));
    assert.equal(picture.code, 'PROVIDER_REJECTED');
    assert.match(picture.message, /not an MP4.*png/);
    cdnRoute = (_req, res) => sendBytes(res, mp4.subarray(0, 600));
    const truncated = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker')));
    assert.equal(truncated.code, 'PROVIDER_REJECTED');
    assert.match(truncated.message, /does not read as an MP4|without a video stream/);
  });

  test('a video larger than the byte cap is refused', async () => {
    route = falRoute('fal-ai/sadtalker', [{ status: 'COMPLETED' }]);
    const failed = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { providers: { ...settings, maxBytes: 1_000 } })));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /larger than 1000 bytes/);
  });

  test('inputs over the inline cap, or not a picture, are refused before any request', async () => {
    const big = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { providers: { ...settings, maxInputBytes: 100_000 } })));
    assert.equal(big.code, 'INVALID_INPUT');
    assert.match(big.message, /portrait is 791555 bytes; at most 100000/);
    const notPicture = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { portrait: { bytes: speech, mimeType: 'image/png' } })));
    assert.equal(notPicture.code, 'INVALID_INPUT');
    assert.equal(api.requests.length, 0);
  });

  test('cancelling while queued stops polling and cancels the request at fal', async () => {
    route = falRoute('fal-ai/sadtalker', [{ status: 'IN_QUEUE', queue_position: 5 }]);
    const controller = new AbortController();
    let polls = 0;
    const run = generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { signal: controller.signal, onProgress: (_f, m) => { if (m.startsWith('queued') && ++polls === 2) controller.abort(); } }));
    await assert.rejects(run, (error: Error) => error.name === 'AbortError');
    assert.ok(calls().includes('PUT /fal/fal-ai/sadtalker/requests/req-1/cancel'), calls().join(', '));
    const seen = api.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(api.requests.length, seen, 'no poll after cancelling');
  });

  test('the deadline ends a stuck job with ENGINE_TIMEOUT and cancels it at fal', async () => {
    route = falRoute('fal-ai/sadtalker', [{ status: 'IN_PROGRESS' }]);
    const failed = await rejection(generateTalkingHeadVideo(options('fal:fal-ai/sadtalker', { providers: { ...settings, timeoutMs: 300 } })));
    assert.equal(failed.code, 'ENGINE_TIMEOUT');
    assert.ok(calls().includes('PUT /fal/fal-ai/sadtalker/requests/req-1/cancel'));
  });
});

describe('Replicate predictions', () => {
  function replicateRoute(final: Record<string, unknown>): Route {
    let polls = 0;
    const states = [{ status: 'starting' }, { status: 'processing' }, final];
    const urls = { get: `${api.baseURL}/replicate/v1/predictions/p-1`, cancel: `${api.baseURL}/replicate/v1/predictions/p-1/cancel` };
    return (req, res) => {
      if (req.method === 'POST' && (req.url === '/replicate/v1/predictions' || req.url === '/replicate/v1/models/acme/avatar/predictions')) return sendJson(res, 201, { id: 'p-1', status: 'starting', urls });
      if (req.method === 'GET' && req.url === '/replicate/v1/predictions/p-1') return sendJson(res, 200, { id: 'p-1', urls, ...states[Math.min(polls++, states.length - 1)] });
      if (req.method === 'POST' && req.url === '/replicate/v1/predictions/p-1/cancel') return sendJson(res, 200, { id: 'p-1', status: 'canceled' });
      sendJson(res, 404, { detail: 'Not found' });
    };
  }

  test('SadTalker by version: source_image and driven_audio are sent, the prediction is polled, the output URL downloaded', async () => {
    route = replicateRoute({ status: 'succeeded', output: `${cdn.baseURL}/files/out.mp4` });
    const result = await generateTalkingHeadVideo(options('replicate:cjwbw/sadtalker:3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376'));
    assert.deepEqual(Buffer.from(result.bytes), Buffer.from(mp4));
    assert.equal(result.requestId, 'p-1');
    const submit = api.requests.find((r) => r.method === 'POST')!;
    assert.equal(submit.url, '/replicate/v1/predictions');
    assert.equal(submit.headers.authorization, 'Bearer r8_test');
    assert.equal(submit.body.version, '3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376');
    const input = submit.body.input as Record<string, unknown>;
    assert.ok(fromDataUri(input.source_image).bytes.equals(Buffer.from(portrait)));
    assert.ok(fromDataUri(input.driven_audio).bytes.equals(Buffer.from(speech)));
    assert.equal(calls().filter((c) => c === 'GET /replicate/v1/predictions/p-1').length, 3);
  });

  test('an official model without a version posts to its own predictions endpoint; a list output is read', async () => {
    route = replicateRoute({ status: 'succeeded', output: [`${cdn.baseURL}/files/poster.png`, `${cdn.baseURL}/files/out.mp4`] });
    await generateTalkingHeadVideo(options('replicate:acme/avatar', { input: { fps: 25 } }));
    const submit = api.requests.find((r) => r.method === 'POST')!;
    assert.equal(submit.url, '/replicate/v1/models/acme/avatar/predictions');
    const input = submit.body.input as Record<string, unknown>;
    assert.ok(fromDataUri(input.image).bytes.equals(Buffer.from(portrait)));
    assert.ok(fromDataUri(input.audio).bytes.equals(Buffer.from(speech)));
    assert.equal(input.fps, 25);
    assert.equal(cdn.requests[0]!.url, '/files/out.mp4', 'the .mp4 is taken, not the poster');
  });

  test('a failed prediction is PROVIDER_REJECTED with Replicate\'s error', async () => {
    route = replicateRoute({ status: 'failed', error: 'CUDA out of memory' });
    const failed = await rejection(generateTalkingHeadVideo(options('replicate:acme/avatar')));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /p-1 failed: CUDA out of memory/);
  });

  test('cancelling cancels the prediction at Replicate', async () => {
    route = replicateRoute({ status: 'processing' });
    const controller = new AbortController();
    let polls = 0;
    const run = generateTalkingHeadVideo(options('replicate:acme/avatar', { signal: controller.signal, onProgress: (_f, m) => { if (m === 'processing' && ++polls === 2) controller.abort(); } }));
    await assert.rejects(run, (error: Error) => error.name === 'AbortError');
    assert.ok(calls().includes('POST /replicate/v1/predictions/p-1/cancel'), calls().join(', '));
  });
});

describe('D-ID talks', () => {
  function didRoute(final: Record<string, unknown>, onTalk?: (res: ServerResponse) => boolean): Route {
    let polls = 0;
    const states = [{ status: 'created' }, { status: 'started' }, final];
    return (req, res) => {
      if (req.method === 'POST' && req.url === '/did/images') return sendJson(res, 201, { id: 'img_1', url: 's3://d-id-images-prod/user/img_1/portrait.png' });
      if (req.method === 'POST' && req.url === '/did/audios') return sendJson(res, 201, { id: 'aud_1', url: 's3://d-id-audios-prod/user/aud_1/audio.wav' });
      if (req.method === 'POST' && req.url === '/did/talks') {
        if (onTalk?.(res)) return;
        return sendJson(res, 201, { id: 'tlk_1', object: 'talk', status: 'created', created_at: '2026-12-07T00:00:00Z' });
      }
      if (req.method === 'GET' && req.url === '/did/talks/tlk_1') return sendJson(res, 200, { id: 'tlk_1', ...states[Math.min(polls++, states.length - 1)] });
      if (req.method === 'DELETE' && req.url === '/did/talks/tlk_1') return sendJson(res, 200, { deleted: 1 });
      sendJson(res, 404, { kind: 'NotFoundError', description: 'not found' });
    };
  }

  async function multipartFile(req: RecordedRequest, field: string): Promise<File> {
    const form = await new Response(req.raw, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
    const file = form.get(field);
    assert.ok(file instanceof File, `multipart field ${field}`);
    return file;
  }

  test('the portrait and audio are uploaded, the talk made from their URLs and polled, the result downloaded', async () => {
    route = didRoute({ status: 'done', result_url: `${cdn.baseURL}/talks/tlk_1.mp4` });
    const result = await generateTalkingHeadVideo(options('did:talks'));
    assert.deepEqual(Buffer.from(result.bytes), Buffer.from(mp4));
    assert.equal(result.provider, 'did');
    assert.equal(result.requestId, 'tlk_1');
    const [images, audios, talk] = ['/did/images', '/did/audios', '/did/talks'].map((url) => api.requests.find((r) => r.method === 'POST' && r.url === url)!);
    for (const r of [images, audios, talk]) assert.equal(r!.headers.authorization, 'Basic ZGlkOnRlc3Q=:secret');
    const image = await multipartFile(images!, 'image');
    assert.equal(image.type, 'image/png');
    assert.ok(Buffer.from(await image.arrayBuffer()).equals(Buffer.from(portrait)), 'the portrait is uploaded byte for byte');
    const audio = await multipartFile(audios!, 'audio');
    assert.equal(audio.type, 'audio/wav');
    assert.ok(Buffer.from(await audio.arrayBuffer()).equals(Buffer.from(speech)), 'the speech is uploaded byte for byte');
    assert.deepEqual(talk!.body, { source_url: 's3://d-id-images-prod/user/img_1/portrait.png', script: { type: 'audio', audio_url: 's3://d-id-audios-prod/user/aud_1/audio.wav' } });
    assert.equal(cdn.requests[0]!.headers.authorization, undefined, 'the key never goes to the result host');
  });

  test('a talk that ends in error is PROVIDER_REJECTED with D-ID\'s description', async () => {
    route = didRoute({ status: 'error', error: { kind: 'FaceError', description: 'Failed to detect a face in the source image' } });
    const failed = await rejection(generateTalkingHeadVideo(options('did:talks')));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /tlk_1 error: FaceError: Failed to detect a face/);
  });

  test('a refused talk (HTTP 400) keeps D-ID\'s description in the error', async () => {
    route = didRoute({ status: 'done' }, (res) => {
      sendJson(res, 400, { kind: 'ValidationError', description: 'audio_url must be a valid s3 or https url' });
      return true;
    });
    const failed = await rejection(generateTalkingHeadVideo(options('did:talks')));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /audio_url must be a valid s3 or https url/);
  });

  test('cancelling deletes the talk at D-ID', async () => {
    route = didRoute({ status: 'started' });
    const controller = new AbortController();
    let polls = 0;
    const run = generateTalkingHeadVideo(options('did:talks', { signal: controller.signal, onProgress: (_f, m) => { if (m === 'rendering' && ++polls === 2) controller.abort(); } }));
    await assert.rejects(run, (error: Error) => error.name === 'AbortError');
    assert.ok(calls().includes('DELETE /did/talks/tlk_1'), calls().join(', '));
  });
});
