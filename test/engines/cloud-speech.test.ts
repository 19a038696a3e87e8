import assert from 'node:assert/strict';
import { test } from 'node:test';
import { experimental_generateSpeech as generateSpeech, experimental_transcribe as transcribe } from 'ai';
import { ShenbiError } from '../../src/core/errors.ts';
import { providerSpeechModel, providerTranscriptionModel } from '../../src/engines/providers/index.ts';
import { encodeWav } from '../../src/media/audio/wav.ts';
import { openAIError, sendJson, startFakeServer } from '../helpers/fake-providers.ts';

const env = { FAKE_KEY: 'sk-test-123', ELEVEN_KEY: 'el-test' };
const tone = encodeWav({ sampleRate: 16000, samples: Float32Array.from({ length: 1600 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000)) });

test('openai speech: POST /v1/audio/speech with model, input, voice; the audio bytes come back', async () => {
  const server = await startFakeServer((req, res) => {
    res.writeHead(200, { 'content-type': 'audio/wav' });
    res.end(tone);
  });
  try {
    const model = providerSpeechModel('fake:tts-1', { env, providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_KEY' }] });
    const result = await generateSpeech({ model, text: '你好，旅人', voice: 'alloy', outputFormat: 'wav', speed: 1.2 });
    assert.deepEqual(Buffer.from(result.audio.uint8Array), tone);
    const req = server.requests[0]!;
    assert.equal(req.url, '/v1/audio/speech');
    assert.equal(req.headers.authorization, 'Bearer sk-test-123');
    assert.equal(req.body.model, 'tts-1');
    assert.equal(req.body.input, '你好，旅人');
    assert.equal(req.body.voice, 'alloy');
    assert.equal(req.body.response_format, 'wav');
    assert.equal(req.body.speed, 1.2);
  } finally {
    await server.close();
  }
});

test('openai transcription: multipart upload to /v1/audio/transcriptions; text, language and segments parse', async () => {
  const server = await startFakeServer((req, res) =>
    sendJson(res, 200, {
      task: 'transcribe',
      language: 'english',
      duration: 0.1,
      text: 'And so my fellow Americans',
      words: [{ word: 'And', start: 0, end: 0.02 }, { word: 'so', start: 0.02, end: 0.05 }],
      segments: [{ id: 0, seek: 0, start: 0, end: 0.1, text: 'And so my fellow Americans', tokens: [1], temperature: 0, avg_logprob: -0.1, compression_ratio: 1, no_speech_prob: 0 }],
    }),
  );
  try {
    const model = providerTranscriptionModel('fake', { env, providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_KEY' }] });
    const result = await transcribe({ model, audio: tone, providerOptions: { openai: { timestampGranularities: ['word'] } } });
    assert.equal(result.text, 'And so my fellow Americans');
    assert.equal(result.language, 'en');
    assert.ok(result.segments.length >= 1);
    const req = server.requests[0]!;
    assert.equal(req.url, '/v1/audio/transcriptions');
    assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
    const body = req.raw.toString('latin1');
    assert.match(body, /name="model"\r\n\r\nwhisper-1\r\n/); // the default transcription model for the openai kind
    assert.match(body, /name="file"; filename="[^"]*"/);
    assert.ok(req.raw.includes(tone.subarray(44, 100)), 'the audio bytes were uploaded');
  } finally {
    await server.close();
  }
});

test('elevenlabs speech: POST /v1/text-to-speech/{voice} with xi-api-key', async () => {
  const server = await startFakeServer((req, res) => {
    res.writeHead(200, { 'content-type': 'audio/mpeg' });
    res.end(tone);
  });
  try {
    const model = providerSpeechModel('el', { env, providers: [{ name: 'el', kind: 'elevenlabs', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'ELEVEN_KEY' }] });
    const result = await generateSpeech({ model, text: 'Hello traveller', voice: 'voice123' });
    assert.equal(result.audio.uint8Array.length, tone.length);
    const req = server.requests[0]!;
    assert.match(req.url, /^\/v1\/text-to-speech\/voice123/);
    assert.equal(req.headers['xi-api-key'], 'el-test');
    assert.equal(req.body.text, 'Hello traveller');
    assert.equal(req.body.model_id, 'eleven_multilingual_v2');
  } finally {
    await server.close();
  }
});

test('speech provider errors keep their message; a missing key names the variable; text-only kinds are refused', async () => {
  const server = await startFakeServer((req, res) => openAIError(res, 400, 'voice "nope" does not exist'));
  try {
    const model = providerSpeechModel('fake:tts-1', { env, providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_KEY' }] });
    await assert.rejects(generateSpeech({ model, text: 'x', voice: 'nope', maxRetries: 0 }), /voice "nope" does not exist/);
  } finally {
    await server.close();
  }
  assert.throws(() => providerSpeechModel('openai:tts-1', { env: {} }), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_KEY_MISSING' && /OPENAI_API_KEY/.test(e.message));
  assert.throws(() => providerSpeechModel('anthropic', { env: { ANTHROPIC_API_KEY: 'k' } }), (e: unknown) => e instanceof ShenbiError && e.code === 'ENGINE_UNAVAILABLE');
});
