import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { createPiperEngine, espeakToPiperPhonemes, phonemesToIds, type PiperEngine } from '../../src/engines/piper/index.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { tinyPhonemeIdMap, TINY_PIPER_HOP, writeTinyPiperVoice } from '../fixtures/piper/build-tiny-piper.ts';

let root: string;
let voiceDir: string;
let engine: PiperEngine;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ShenbiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ShenbiError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'shenbi-piper-'));
  voiceDir = join(root, 'voice');
  await writeTinyPiperVoice(voiceDir, { sampleRate: 16000 });
  engine = createPiperEngine();
});

after(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('Piper phonemes and ids', () => {
  test("eSpeak IPA to Piper's phoneme list: codepoints, spaces between words, clause punctuation", () => {
    const phonemes = espeakToPiperPhonemes('h_ə_l_ˈoʊ w_ˈɜː_l_d | ð_ɪ_s', 'Hello world, this?');
    assert.equal(phonemes.join(''), 'həlˈoʊ wˈɜːld, ðɪs?');
    assert.deepEqual(phonemes.slice(0, 6), ['h', 'ə', 'l', 'ˈ', 'o', 'ʊ']);
  });

  test("ids follow Piper's rule: ^ _ p1 _ p2 _ … _ $, unknown phonemes dropped and reported", () => {
    const map = { _: [0], '^': [1], $: [2], a: [5], b: [6, 7] };
    assert.deepEqual(phonemesToIds(['a', 'b', 'a'], map), { ids: [1, 0, 5, 0, 6, 7, 0, 5, 0, 2], missing: [] });
    assert.deepEqual(phonemesToIds(['a', 'z'], map), { ids: [1, 0, 5, 0, 2], missing: ['z'] });
  });

  test('the fixture voice covers what eSpeak says for a short English and Mandarin sentence', async () => {
    const map = tinyPhonemeIdMap();
    for (const [text, voice] of [['Hello world, this is a test.', 'en'], ['你好，世界。今天天气很好。', 'cmn']] as const) {
      const dir = join(root, `cover-${voice}`);
      await writeTinyPiperVoice(dir, { espeakVoice: voice === 'en' ? 'en-us' : 'cmn' });
      const result = await engine.synthesize({ voiceDir: dir, text });
      assert.deepEqual(result.missingPhonemes, [], `${voice}: ${result.missingPhonemes.join(' ')}`);
      assert.ok(Object.keys(map).length > 50);
    }
  });
});

describe('Piper synthesis with the tiny voice', () => {
  test("audio at the config's sample rate; length follows the ids and the speed; sentences and words inside the audio", async () => {
    const short = await engine.synthesize({ voiceDir, text: 'Hello world.' });
    const long = await engine.synthesize({ voiceDir, text: 'Hello world, this is a much longer sentence. And a second one!' });
    const slow = await engine.synthesize({ voiceDir, text: 'Hello world.', speed: 1 / 1.5 });
    assert.equal(short.audio.sampleRate, 16000);
    assert.ok(short.audio.samples.length > 0);
    assert.ok(short.audio.samples.some((s) => Math.abs(s) > 0.05), 'not silent');
    // One sentence: exactly (ids) × hop samples; ids = 2 + 2 × phonemes + 1 ('həlˈoʊ wˈɜːld.' = 14 phonemes).
    assert.equal(short.audio.samples.length, (3 + 2 * 14) * TINY_PIPER_HOP);
    assert.ok(long.audio.samples.length > 3 * short.audio.samples.length, `${long.audio.samples.length} vs ${short.audio.samples.length}`);
    // length_scale 1.5 (speed 1/1.5): 1.5× the samples.
    assert.equal(slow.audio.samples.length, Math.floor(short.audio.samples.length * 1.5));
    assert.equal(long.sentences.length, 2);
    const duration = long.audio.samples.length / long.audio.sampleRate;
    assert.ok(long.sentences[1]!.start > long.sentences[0]!.end, 'a gap between sentences');
    assert.equal(long.words[0]!.text, 'Hello');
    for (let i = 1; i < long.words.length; i++) assert.ok(long.words[i]!.start > long.words[i - 1]!.start);
    assert.ok(long.words.at(-1)!.end <= duration + 1e-9);
  });

  test('a missing voice or config is MODEL_NOT_INSTALLED; a corrupt .onnx is MODEL_INVALID; bad options are INVALID_INPUT', async () => {
    await rejectsWith(engine.synthesize({ voiceDir: join(root, 'nope'), text: 'Hi.' }), 'MODEL_NOT_INSTALLED');
    const noConfig = join(root, 'no-config');
    await mkdir(noConfig);
    writeFileSync(join(noConfig, 'v.onnx'), 'x');
    await rejectsWith(engine.synthesize({ voiceDir: noConfig, text: 'Hi.' }), 'MODEL_NOT_INSTALLED');
    const corrupt = join(root, 'corrupt');
    const files = await writeTinyPiperVoice(corrupt);
    writeFileSync(files.model, Buffer.from('not an onnx graph at all'));
    const error = await rejectsWith(engine.synthesize({ voiceDir: corrupt, text: 'Hi.' }), 'MODEL_INVALID');
    assert.match(error.message, /not a usable ONNX voice/);
    await rejectsWith(engine.synthesize({ voiceDir, text: '   ' }), 'INVALID_INPUT');
    await rejectsWith(engine.synthesize({ voiceDir, text: 'Hi.', speed: 9 }), 'INVALID_INPUT');
  });

  test('multi-speaker voices get sid; speaker out of range is INVALID_INPUT', async () => {
    const dir = join(root, 'multi');
    await writeTinyPiperVoice(dir, { speakers: 3 });
    const a = await engine.synthesize({ voiceDir: dir, text: 'Hello world.', speaker: 0 });
    const b = await engine.synthesize({ voiceDir: dir, text: 'Hello world.', speaker: 2 });
    assert.equal(a.audio.samples.length, b.audio.samples.length);
    assert.notDeepEqual(a.audio.samples.slice(0, 200), b.audio.samples.slice(0, 200), 'the speaker changes the audio');
    await rejectsWith(engine.synthesize({ voiceDir: dir, text: 'Hi.', speaker: 3 }), 'INVALID_INPUT');
  });
});

describe("Shenbi.generate('speech') with an installed Piper voice", () => {
  test("voice 'piper:<name>' and model '<name>' route to speech.piper and store a labeled WAV with timings", async () => {
    const home = mkdtempSync(join(tmpdir(), 'shenbi-piper-home-'));
    let shenbi: Shenbi | undefined;
    try {
      await writeTinyPiperVoice(join(home, 'models', 'tiny-voice'), { sampleRate: 22050 });
      shenbi = await Shenbi.open({ overrides: { home, c2pa: { enabled: false, keysDir: join(home, 'keys') } } });
      for (const input of [{ voice: 'piper:tiny-voice' }, { model: 'tiny-voice' }]) {
        const job = await shenbi.generate('speech', { text: 'Hello world. This is Piper.', ...input });
        assert.equal(job.status, 'completed', JSON.stringify(job.error));
        const artifact = await shenbi.store.artifacts.get(String(job.outputs!.audio));
        assert.ok(artifact);
        assert.equal(artifact.mimeType, 'audio/wav');
        assert.equal(artifact.provenance.engine?.id, 'piper');
        assert.ok(artifact.labels.some((label) => label.type.startsWith('aigc')), JSON.stringify(artifact.labels.map((label) => label.type)));
        const wav = decodeWav((await shenbi.store.artifacts.read(artifact.id)).bytes);
        assert.equal(wav.sampleRate, 22050);
        assert.ok((job.outputs!.duration as number) > 0.3);
      }
      const missing = await shenbi.generate('speech', { text: 'Hi.', voice: 'piper:not-installed' });
      assert.equal(missing.status, 'failed');
      assert.equal(missing.error?.code, 'MODEL_NOT_INSTALLED');
    } finally {
      await shenbi?.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
