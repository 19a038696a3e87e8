import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { alignToReference, forcedAlign } from '../../src/engines/align/index.ts';
import { compose } from '../../src/engines/composer/index.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { singMelody } from '../../src/engines/singer/sing.ts';
import { layVocalTrack } from '../../src/engines/singer/vocal-track.ts';
import { labelAudio } from '../../src/governance/explicit/audio.ts';
import { embedImplicitLabel } from '../../src/governance/implicit/embed.ts';
import { embedImplicitLabelOffThread } from '../../src/governance/implicit/off-thread.ts';
import { decodeAudio, encodeAudio } from '../../src/media/audio/encode.ts';
import type { PcmAudio } from '../../src/media/audio/pcm.ts';
import { resample } from '../../src/media/audio/resample.ts';
import { decodeWav, encodeWav } from '../../src/media/audio/wav.ts';
import { closeWorkerPool } from '../../src/workers/pool.ts';
import { payloadFor } from '../governance/implicit-labels-helpers.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * The engine work moved to the worker pool gives exactly the bytes the in-thread code gives
 * (same code, same inputs): checked against the synchronous functions it wraps.
 */

const espeak = createEspeakEngine();
after(async () => {
  await espeak.close();
  await closeWorkerPool();
});

const jfkBytes = readFileSync(join(TESTDATA, 'jfk.wav'));
const same = (a: ArrayBufferView, b: ArrayBufferView, what: string) =>
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${what} differs`);

test('WAV decode, resample and encode through the pool match the in-thread functions', async () => {
  const decoded = decodeWav(jfkBytes);
  const pooled = await decodeAudio(jfkBytes);
  same(pooled.samples, decoded.samples, 'decoded samples');
  same((await decodeAudio(jfkBytes, { sampleRate: 44_100 })).samples, resample(decoded, 44_100).samples, 'resampled samples');
  const encoded = await encodeAudio(pooled, 'wav', { channels: 2, sampleRate: 22_050 });
  assert.ok(Buffer.isBuffer(encoded));
  same(encoded, encodeWav(resample(decoded, 22_050), 2), 'encoded WAV');
});

test('the sung vocal track through the pool matches layVocalTrack in this thread', async () => {
  const song = compose({ lyrics: '妈妈我爱你\n岁岁平安', seed: 2 });
  const clips = new Map<string, PcmAudio>();
  const voice = async (text: string) => {
    const audio = clips.get(text) ?? (await espeak.synthesize({ text, intonation: 0 })).audio;
    clips.set(text, audio);
    return audio;
  };
  const pooled = await singMelody(song, voice, { sampleRate: 44_100 });
  same(pooled.samples, layVocalTrack(song, clips, 44_100).samples, 'vocal track');
});

test('forced alignment through the pool matches alignToReference in this thread', async () => {
  const audio = decodeWav(jfkBytes);
  const script = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
  const spoken = await espeak.synthesize({ text: script });
  const reference = { audio: spoken.audio, words: spoken.words };
  const pooled = await forcedAlign(audio, script, { synthesize: async () => reference });
  assert.deepEqual(pooled.words, alignToReference(audio, reference));
});

test('labels of large files through the pool: the same bytes as in this thread', async () => {
  const long: PcmAudio = { sampleRate: 44_100, samples: Float32Array.from({ length: 44_100 * 20 }, (_, i) => 0.3 * Math.sin(i / 9)) };
  const wav = encodeWav(long);
  const png = await sharp({ create: { width: 800, height: 800, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
  assert.ok(wav.byteLength > 1 << 20 && png.byteLength > 1 << 20, 'both are large enough to go to the pool');
  const files: [Uint8Array, string][] = [[wav, 'audio/wav'], [png, 'image/png']];
  for (const [bytes, mimeType] of files) {
    const pooled = await embedImplicitLabelOffThread(bytes, mimeType, payloadFor('art_pool'));
    const local = await embedImplicitLabel(bytes, mimeType, payloadFor('art_pool'));
    assert.equal(pooled.placement, local.placement);
    same(pooled.bytes, local.bytes, `${mimeType} implicit label`);
  }
  // Moved rather than copied when the caller lets go of them: the same label, and the caller's buffer detached.
  const mine = new Uint8Array(wav);
  const moved = await embedImplicitLabelOffThread(mine, 'audio/wav', payloadFor('art_pool'), { move: true });
  same(moved.bytes, (await embedImplicitLabel(wav, 'audio/wav', payloadFor('art_pool'))).bytes, 'moved WAV implicit label');
  assert.equal(mine.byteLength, 0, 'the moved buffer is gone from this thread');
  // The audible overlay label of a plain WAV, mixed in the pool (a long file, so the work is real).
  const overlay = await labelAudio(wav, 'audio/wav', { placement: 'both', mode: 'overlay', spokenWording: '本内容由人工智能生成', spokenLanguage: 'zh' });
  assert.equal(overlay.record.placement, 'audio-both-overlay');
  assert.equal(overlay.bytes.byteLength, wav.byteLength);
  const labeled = decodeWav(overlay.bytes).samples;
  const original = decodeWav(wav).samples;
  assert.notEqual(labeled[450], original[450], 'the rhythm is mixed in at the start');
  assert.equal(labeled[44_100 * 10], original[44_100 * 10], 'the middle is untouched');
});
