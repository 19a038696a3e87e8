import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { labelAudio } from '../../src/governance/explicit/audio.ts';
import { overlayRhythmOnPlainWav } from '../../src/governance/explicit/audio-wav-overlay.ts';
import { aiRhythm, dbToLinear, labelLevelDb } from '../../src/governance/explicit/rhythm.ts';
import { decodeWav, encodeWav } from '../../src/media/audio/wav.ts';

/** The float path the overlay used to take: decode, add the rhythm in float32, encode. The reference. */
function floatPath(bytes: Uint8Array, placement: 'start' | 'end' | 'both'): { bytes: Buffer; levelDb: number } {
  const content = decodeWav(bytes);
  const levelDb = labelLevelDb(content);
  const rhythm = aiRhythm(content.sampleRate, dbToLinear(levelDb) * Math.SQRT2);
  const end = Math.max(0, content.samples.length - rhythm.samples.length);
  const mixed = new Float32Array(content.samples);
  for (const offset of { start: [0], end: [end], both: [0, end] }[placement]) {
    for (let i = Math.max(0, offset); i < Math.min(mixed.length, offset + rhythm.samples.length); i++) mixed[i] = mixed[i]! + rhythm.samples[i - offset]!;
  }
  return { bytes: encodeWav({ sampleRate: content.sampleRate, samples: mixed }), levelDb };
}

const wavOf = (sampleRate: number, pcm: Int16Array): Buffer => {
  const bytes = encodeWav({ sampleRate, samples: new Float32Array(1) });
  const out = Buffer.alloc(44 + pcm.length * 2);
  bytes.copy(out, 0, 0, 44);
  out.writeUInt32LE(36 + pcm.length * 2, 4);
  out.writeUInt32LE(pcm.length * 2, 40);
  Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).copy(out, 44);
  return out;
};

test('the 16-bit overlay writes the same file as the float path: short, long and clipping content, every placement', () => {
  const rates = [8000, 16000, 22050, 44100];
  fc.assert(
    fc.property(
      fc.constantFrom(...rates),
      fc.integer({ min: 1, max: 30_000 }),
      fc.constantFrom('start', 'end', 'both') as fc.Arbitrary<'start' | 'end' | 'both'>,
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.constantFrom(0, 100, 4000, 32767),
      (sampleRate, frames, placement, seed, amplitude) => {
        let state = seed;
        const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const pcm = new Int16Array(frames);
        for (let i = 0; i < frames; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round((next() * 2 - 1) * amplitude)));
        const bytes = wavOf(sampleRate, pcm);
        const fast = overlayRhythmOnPlainWav(bytes, placement);
        const reference = floatPath(bytes, placement);
        assert.ok(fast !== undefined);
        assert.equal(fast.levelDb, reference.levelDb);
        assert.ok(Buffer.from(fast.bytes).equals(reference.bytes), `${frames} frames at ${sampleRate} Hz, ${placement}, amplitude ${amplitude}`);
        // In place (the bytes given up): the same file, written over the input's own memory.
        const given = Buffer.from(bytes);
        const inPlace = overlayRhythmOnPlainWav(given, placement, true);
        assert.ok(inPlace !== undefined && inPlace.bytes.buffer === given.buffer, 'rewritten where it lies');
        assert.ok(Buffer.from(inPlace.bytes).equals(reference.bytes), `in place: ${frames} frames at ${sampleRate} Hz, ${placement}`);
      },
    ),
    { numRuns: 150 },
  );
});

test('every 16-bit level survives the overlay as the float path leaves it (the untouched samples)', () => {
  const pcm = new Int16Array(65536 + 44100 * 3);
  for (let x = -32768; x < 32768; x++) pcm[44100 + x + 32768] = x;
  const bytes = wavOf(44100, pcm);
  assert.ok(Buffer.from(overlayRhythmOnPlainWav(bytes, 'start')!.bytes).equals(floatPath(bytes, 'start').bytes));
});

test('not a plain mono 16-bit WAV: left to ffmpeg (undefined)', () => {
  const stereo = encodeWav({ sampleRate: 22050, samples: new Float32Array(5000).fill(0.1) }, 2);
  assert.equal(overlayRhythmOnPlainWav(stereo, 'start'), undefined);
  assert.equal(overlayRhythmOnPlainWav(Buffer.from('RIFF....WAVEjunk'), 'start'), undefined);
  const tagged = Buffer.concat([encodeWav({ sampleRate: 22050, samples: new Float32Array(100) }), Buffer.from('LIST\u0004\u0000\u0000\u0000abcd', 'latin1')]);
  assert.equal(overlayRhythmOnPlainWav(tagged, 'start'), undefined);
});

test('a WAV whose bytes are given up (move) is labelled in place on the worker: the same file, the caller\'s buffer gone', async () => {
  const speech = { sampleRate: 22050, samples: new Float32Array(22050 * 3).map((_, i) => 0.3 * Math.sin(i / 7) * Math.sin(i / 3000)) };
  const options = { placement: 'both', mode: 'overlay', spokenWording: '本内容由人工智能生成', spokenLanguage: 'zh' } as const;
  const kept = encodeWav(speech);
  const copied = await labelAudio(kept, 'audio/wav', options);
  const given = encodeWav(speech);
  const moved = await labelAudio(given, 'audio/wav', { ...options, move: true });
  assert.ok(Buffer.from(moved.bytes).equals(Buffer.from(copied.bytes)));
  assert.deepEqual(moved.record, copied.record);
  assert.equal(given.buffer.byteLength, 0, 'moved to the worker, not copied');
  assert.ok(kept.equals(encodeWav(speech)), 'without move the caller keeps its bytes');
  // A WAV the in-process overlay cannot take (stereo) is never moved: ffmpeg labels it here.
  const stereo = encodeWav(speech, 2);
  const byFfmpeg = await labelAudio(stereo, 'audio/wav', { ...options, move: true });
  assert.ok(stereo.byteLength > 0 && byFfmpeg.bytes.byteLength > 0);
});
