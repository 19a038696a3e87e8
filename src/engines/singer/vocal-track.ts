/**
 * The vocal's sample work, as worker-pool tasks (singMelody and makeSong gather the voice
 * clips, which come from another process, then hand the loops here): each sung syllable
 * retuned and stretched onto its note, or each spoken line placed at its start.
 */
import { ShenbiError } from '../../core/errors.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { resample } from '../../media/audio/resample.ts';
import { ticksToSeconds, type Composition } from '../composer/composition.ts';
import { estimateF0, psola } from './psola.ts';

/** What the vocal track needs of a composition (the rest need not cross threads). */
export type SungMelody = Pick<Composition, 'syllables' | 'totalTicks' | 'tempo'>;

function trimSilence(samples: Float32Array, threshold = 0.01): Float32Array {
  let start = 0;
  let end = samples.length;
  while (start < end && Math.abs(samples[start]!) < threshold) start++;
  while (end > start && Math.abs(samples[end - 1]!) < threshold) end--;
  return samples.subarray(start, end);
}

function midiToHz(pitch: number): number {
  return 440 * 2 ** ((pitch - 69) / 12);
}

/**
 * Each syllable's monotone clip (`spoken`, by text) retuned to its note's pitch and stretched
 * to its length by PSOLA, with short fades, on the song's timeline. Unvoiced syllables (no
 * pitch found) are only stretched.
 */
export function layVocalTrack(song: SungMelody, spoken: ReadonlyMap<string, PcmAudio>, sampleRate: number): PcmAudio {
  const total = Math.ceil(ticksToSeconds(song.totalTicks, song.tempo) * sampleRate) + sampleRate;
  const out = new Float32Array(total);
  const atRate = new Map<string, PcmAudio>();
  for (const syllable of song.syllables) {
    let audio = atRate.get(syllable.text);
    if (!audio) {
      const clip = spoken.get(syllable.text);
      if (clip === undefined) throw new ShenbiError('ENGINE_FAILED', `no voice clip for "${syllable.text}"`);
      audio = resample(clip, sampleRate);
      atRate.set(syllable.text, audio);
    }
    const samples = trimSilence(audio.samples);
    if (samples.length === 0) throw new ShenbiError('ENGINE_FAILED', `the voice produced silence for "${syllable.text}"`);
    // Sung notes are held to 92% of their length: a breath between syllables.
    const length = Math.max(1, Math.round(ticksToSeconds(syllable.durationTicks, song.tempo) * sampleRate * 0.92));
    const f0 = estimateF0(samples, sampleRate);
    const target = midiToHz(syllable.pitch);
    const sung = f0 === undefined ? psola(samples, sampleRate, target, target, length) : psola(samples, sampleRate, f0, target, length);
    const fade = Math.min(Math.round(0.015 * sampleRate), Math.floor(length / 4));
    for (let i = 0; i < fade; i++) {
      sung[i]! *= i / fade;
      sung[length - 1 - i]! *= i / fade;
    }
    const at = Math.round(ticksToSeconds(syllable.startTick, song.tempo) * sampleRate);
    for (let i = 0; i < length && at + i < total; i++) out[at + i]! += sung[i]!;
  }
  return { sampleRate, samples: out };
}

/** Spoken lines, each resampled and written from its start sample, on a track `length` samples long. */
export function laySpokenTrack(lines: readonly { at: number; audio: PcmAudio }[], length: number, sampleRate: number): PcmAudio {
  const voice = new Float32Array(length);
  for (const line of lines) {
    const audio = resample(line.audio, sampleRate).samples;
    for (let i = 0; i < audio.length && line.at + i < voice.length; i++) voice[line.at + i] = audio[i]!;
  }
  return { sampleRate, samples: voice };
}
