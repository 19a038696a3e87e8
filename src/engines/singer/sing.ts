import { ShenbiError } from '../../core/errors.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { resample } from '../../media/audio/resample.ts';
import { ticksToSeconds, type Composition } from '../composer/composition.ts';
import { estimateF0, psola } from './psola.ts';

/** Speaks one syllable in a steady (monotone) voice. */
export type SyllableVoice = (text: string, signal?: AbortSignal) => Promise<PcmAudio>;

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
 * The lyrics sung on the melody: each syllable is spoken in a monotone voice, then retuned
 * to its note's pitch and stretched to its length by PSOLA, with short fades, and laid on the
 * song's timeline. Unvoiced syllables (no pitch found) are only stretched.
 */
export async function singMelody(song: Composition, voice: SyllableVoice, options: { sampleRate: number; signal?: AbortSignal }): Promise<PcmAudio> {
  const { sampleRate } = options;
  const total = Math.ceil(ticksToSeconds(song.totalTicks, song.tempo) * sampleRate) + sampleRate;
  const out = new Float32Array(total);
  const spoken = new Map<string, Promise<PcmAudio>>();
  for (const syllable of song.syllables) {
    options.signal?.throwIfAborted();
    let source = spoken.get(syllable.text);
    if (!source) {
      source = voice(syllable.text, options.signal).then((audio) => resample(audio, sampleRate));
      spoken.set(syllable.text, source);
    }
    const audio = await source;
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
