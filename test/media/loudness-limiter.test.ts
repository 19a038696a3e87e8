import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalizeLoudnessTransient, truePeakDb } from '../../src/media/audio/loudness.ts';
import type { PcmAudio } from '../../src/media/audio/pcm.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * The limiter computes the true peaks only of blocks that the foreseen gain can lift past the
 * ceiling (and all of them once a pass asks for more). That is a matter of speed only: the
 * samples must be the very ones every peak computed up front gives (headroom Infinity), for
 * the default headroom and for none at all (later passes then compute the rest).
 */
function normalized(audio: PcmAudio, targetLufs: number, peakDb: number, headroomDb: number): Float32Array {
  // The result lives in scratch buffers until the next normalisation: copied at once.
  return normalizeLoudnessTransient(audio, { targetLufs, peakDb }, headroomDb).samples.slice();
}

function sameEverywhere(audio: PcmAudio, targetLufs: number, peakDb: number): void {
  const reference = normalized(audio, targetLufs, peakDb, Infinity);
  assert.deepEqual(normalized(audio, targetLufs, peakDb, 6), reference, `default headroom, ${targetLufs} LUFS / ${peakDb} dBTP`);
  assert.deepEqual(normalized(audio, targetLufs, peakDb, 0), reference, `no headroom, ${targetLufs} LUFS / ${peakDb} dBTP`);
}

/** Bursts of tone and noise at random levels with silent gaps, like speech: the limiter works on some blocks only. */
function bursts(seed: number, sampleRate: number, seconds: number): PcmAudio {
  let state = seed >>> 0 || 1;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const samples = new Float32Array(Math.round(sampleRate * seconds));
  let i = 0;
  while (i < samples.length) {
    const length = Math.min(samples.length - i, Math.floor(sampleRate * (0.02 + next() * 0.3)));
    const level = next() < 0.25 ? 0 : 10 ** (-40 * next() / 20);
    const frequency = 80 + next() * 4000;
    const noisy = next() < 0.4;
    for (let k = 0; k < length; k++) samples[i + k] = level * (noisy ? next() * 2 - 1 : Math.sin((2 * Math.PI * frequency * k) / sampleRate));
    i += length;
  }
  return { sampleRate, samples };
}

test('peaks computed only where the gain can reach the ceiling: the same samples as all computed, on real speech', () => {
  const jfk = decodeWav(readFileSync(join(TESTDATA, 'jfk.wav')));
  // −9 and −6 LUFS need heavy limiting of jfk (its peak is −2.1 dBTP at −23 LUFS); −23 needs none.
  for (const [target, peak] of [[-16, -1], [-9, -1], [-6, -3], [-23, -1]] as const) sameEverywhere(jfk, target, peak);
  const limited = normalizeLoudnessTransient(jfk, { targetLufs: -6, peakDb: -3 });
  assert.ok(truePeakDb(limited) <= -3 + 1e-9, 'the ceiling holds');
});

test('peaks computed only where the gain can reach the ceiling: the same samples as all computed, on random bursts (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 }),
      fc.constantFrom(16_000, 22_050, 44_100),
      fc.double({ min: 0.05, max: 1.5, noNaN: true }),
      fc.integer({ min: -30, max: -4 }),
      fc.constantFrom(-1, -2, -6),
      (seed, sampleRate, seconds, target, peak) => sameEverywhere(bursts(seed, sampleRate, seconds), target, peak),
    ),
    { numRuns: 60 },
  );
});
