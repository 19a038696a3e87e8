import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { fitWithFades } from '../../../media/audio/fit.ts';
import { integratedLoudness, normalizeLoudness, truePeakDb } from '../../../media/audio/loudness.ts';
import { duckAndMix, type DuckOptions } from '../../../media/audio/mix.ts';
import type { PcmAudio } from '../../../media/audio/pcm.ts';
import { resample } from '../../../media/audio/resample.ts';
import { offThreadTask, runOffThread } from '../../../workers/off-thread.ts';
import * as self from './mix-short-audio.ts';

/**
 * 48 kHz: the rate the video's AAC track is encoded at (compose-video's `-ar 48000`), so the
 * mixed track goes into the encode without another resampling pass.
 */
export const MIX_SAMPLE_RATE = 48_000;

/** The levels of a short's soundtrack (LUFS, LU, dBTP). */
export const MIX_LEVELS = {
  /** The voice alone, before the mix (speech for streaming). */
  narrationLufs: -16,
  /** The bed under the voice in the pauses, and how far it dips while the voice speaks. */
  bedBelowVoiceLu: 12,
  duckDb: -10,
  /** Effects sit under the voice. */
  effectBelowVoiceLu: 6,
  /** The finished track: short-video platforms' loudness, with a true-peak ceiling. */
  finalLufs: -14,
  truePeakDb: -1,
} as const;

/** The sidechain: quick to dip (20 ms, 50 ms ahead of the voice), back up within about a second of silence (0.25 s release on the level and on the gain), not between words. */
const DUCKING: DuckOptions = { duckDb: MIX_LEVELS.duckDb, attack: 0.02, release: 0.25, lookahead: 0.05, threshold: 0.02 };
/** The bed's own fades in the mix (a user's music is cut to the video's length here). */
const BED_FADE_IN = 1;
const BED_FADE_OUT = 2;

export const MIX_LIMITS = { maxSeconds: 600, maxEffects: 200 } as const;

const pcmSchema = z
  .object({
    sampleRate: z.number().int().min(8000).max(192_000),
    samples: z.instanceof(Float32Array),
  })
  .refine((audio) => audio.samples.length / audio.sampleRate <= MIX_LIMITS.maxSeconds, `longer than ${MIX_LIMITS.maxSeconds} s`);

const mixInputSchema = z
  .object({
    narration: pcmSchema.refine((audio) => audio.samples.length >= audio.sampleRate / 2, 'shorter than half a second'),
    bed: pcmSchema.optional(),
    effects: z.array(z.object({ audio: pcmSchema, at: z.number().finite().min(0) }).strict()).max(MIX_LIMITS.maxEffects),
  })
  .strict()
  .superRefine((input, context) => {
    const duration = input.narration.samples.length / input.narration.sampleRate;
    input.effects.forEach((effect, i) => {
      if (effect.at >= duration) context.addIssue({ code: 'custom', path: ['effects', i, 'at'], message: `${effect.at} s is past the end of the narration (${duration.toFixed(2)} s)` });
    });
  });

export interface ShortMixInput {
  /** The whole voice track on the video's timeline (silence where nobody speaks). */
  narration: PcmAudio;
  /** Music under the voice; cut or padded to the narration's length and faded. */
  bed?: PcmAudio;
  /** Effects, each with its onset (its first sample) placed at `at` seconds. */
  effects: readonly { audio: PcmAudio; at: number }[];
  signal?: AbortSignal;
}

export interface ShortMixResult {
  /** Mono, 48 kHz, as long as the narration. */
  audio: PcmAudio;
  loudness: { narrationLufs: number; finalLufs: number; truePeakDb: number };
}

const mixTask = offThreadTask(new URL(import.meta.url), self, 'mixShortAudioInThread');

/**
 * The short's soundtrack, on the worker pool: everything at 48 kHz; the narration at −16 LUFS;
 * the bed 12 LU under it, faded in and out, ducked 10 dB by a sidechain on the voice; effects
 * 6 LU under the voice with their first sample at their cue time; then the whole at −14 LUFS
 * with true peaks held under −1 dBTP by normalizeLoudness's look-ahead limiter. Mono: the
 * encode spreads it over both channels. INVALID_INPUT for bad input or a silent narration.
 */
export async function mixShortAudio(input: ShortMixInput): Promise<ShortMixResult> {
  const { signal, ...rest } = input;
  const checked = parseOrThrow(mixInputSchema, rest, 'short mix');
  return runOffThread(mixTask, [checked], signal === undefined ? {} : { signal });
}

/** mixShortAudio in this thread (the worker's side); the input as validated by mixShortAudio. */
export function mixShortAudioInThread(input: Omit<ShortMixInput, 'signal'>): ShortMixResult {
  for (const [what, audio] of [['narration', input.narration], ['bed', input.bed], ...input.effects.map((e, i) => [`effect ${i + 1}`, e.audio] as const)] as const) {
    if (audio !== undefined && !audio.samples.every(Number.isFinite)) throw new ShenbiError('INVALID_INPUT', `The ${what} has samples that are not numbers (NaN or infinite).`);
  }
  const narration = resample(input.narration, MIX_SAMPLE_RATE);
  if (!Number.isFinite(integratedLoudness(narration))) throw new ShenbiError('INVALID_INPUT', 'The narration is silent: the mix is levelled against the voice.');
  const voice = normalizeLoudness(narration, { targetLufs: MIX_LEVELS.narrationLufs, peakDb: MIX_LEVELS.truePeakDb });
  const narrationLufs = integratedLoudness(voice);
  const length = voice.samples.length;

  let mix: Float32Array;
  if (input.bed === undefined) {
    mix = voice.samples.slice();
  } else {
    const bed = levelledBed(resample(input.bed, MIX_SAMPLE_RATE), length, narrationLufs - MIX_LEVELS.bedBelowVoiceLu);
    mix = duckAndMix(bed, voice, DUCKING).samples;
  }
  for (const effect of input.effects) placeEffect(mix, resample(effect.audio, MIX_SAMPLE_RATE), effect.at, narrationLufs - MIX_LEVELS.effectBelowVoiceLu);

  const final = normalizeLoudness({ sampleRate: MIX_SAMPLE_RATE, samples: mix }, { targetLufs: MIX_LEVELS.finalLufs, peakDb: MIX_LEVELS.truePeakDb });
  return { audio: final, loudness: { narrationLufs, finalLufs: integratedLoudness(final), truePeakDb: truePeakDb(final) } };
}

/** The bed cut to the mix (or ending where it ends), faded, at `targetLufs`; silence stays silence. */
function levelledBed(bed: PcmAudio, length: number, targetLufs: number): PcmAudio {
  const fitted = fitWithFades(bed, Math.min(length, bed.samples.length), BED_FADE_IN, BED_FADE_OUT);
  const measured = integratedLoudness(fitted);
  const gain = Number.isFinite(measured) ? 10 ** ((targetLufs - measured) / 20) : 0;
  const out = new Float32Array(length);
  for (let i = 0; i < fitted.samples.length; i++) out[i] = fitted.samples[i]! * gain;
  return { sampleRate: bed.sampleRate, samples: out };
}

/** Adds the effect at `targetLufs` with its first sample at `at` seconds; whatever runs past the end is cut. */
function placeEffect(mix: Float32Array, effect: PcmAudio, at: number, targetLufs: number): void {
  const measured = integratedLoudness(effect);
  if (!Number.isFinite(measured)) return;
  const gain = 10 ** ((targetLufs - measured) / 20);
  const start = Math.round(at * MIX_SAMPLE_RATE);
  const end = Math.min(mix.length, start + effect.samples.length);
  for (let i = start; i < end; i++) mix[i] = mix[i]! + effect.samples[i - start]! * gain;
}
