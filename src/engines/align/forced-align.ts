import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import { mfcc, type FeatureFrames, type MfccOptions } from '../../media/audio/mfcc.ts';
import { durationOf, type PcmAudio } from '../../media/audio/pcm.ts';
import { offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import { dtwMultiscale, type FrameDistance } from './dtw.ts';
import { synthesizeReference, type ReferenceSpeech, type SynthesizeFn } from './reference-speech.ts';
import { sentencesFromWords } from './sentences.ts';
import { findPauses, trimWordsToSound } from './pauses.ts';
import { slicePcm, soundSpan } from './silence.ts';
import { referenceToAudioTime } from './time-map.ts';
import * as self from './forced-align.ts';

/**
 * Forced alignment without a recognition model (the Echogarden approach): speak the known
 * script with a TTS engine, whose word timings are known, match the MFCC frames of that
 * reference against the real audio by dynamic time warping, and carry each reference word's
 * times through the warping path onto the real audio.
 */

export interface AlignOptions {
  /** Frame distance for DTW. Default 'cosine'. */
  distance?: FrameDistance;
  /**
   * Sakoe-Chiba half-width, in seconds, around the diagonal of the (silence-trimmed) signals.
   * Default: a quarter of the longer signal, at least 5 s.
   */
  bandSeconds?: number;
  /** Refuse when one trimmed signal is more than this many times longer than the other. Default 4. */
  maxDurationRatio?: number;
  /**
   * Keep c0 (each frame's loudness, mean-normalised) in the features. Default true: without it
   * the quiet stretches of a real recording match speech frames too easily.
   */
  useEnergy?: boolean;
  /** MFCC analysis settings (defaults: 25 ms frames, 10 ms hop, 40 mel bands, 13 coefficients). */
  mfcc?: MfccOptions;
  /**
   * Quiet in the audio at least this long is a pause, and no word runs into one (DTW alone
   * stretches a word over a pause the reference voice did not make). 0 turns it off. Default 0.2 s.
   */
  minPauseSeconds?: number;
}

export interface ForcedAlignOptions extends AlignOptions {
  synthesize: SynthesizeFn;
  language?: string;
  signal?: AbortSignal;
  /** Scripts longer than this are synthesized sentence-wise in chunks of at most this many characters. Default 4000. */
  maxChunkChars?: number;
}

export interface ForcedAlignment {
  words: TimedText[];
  sentences: TimedText[];
}

const alignOptionsSchema = z.object({
  distance: z.enum(['cosine', 'euclidean']).optional(),
  bandSeconds: z.number().positive().optional(),
  maxDurationRatio: z.number().gt(1).optional(),
  useEnergy: z.boolean().optional(),
  mfcc: z.record(z.string(), z.unknown()).optional(),
  minPauseSeconds: z.number().min(0).max(10).optional(),
  maxChunkChars: z.number().int().min(100).optional(),
});

function checkOptions(options: object): void {
  const known = Object.fromEntries(Object.entries(options).filter(([key]) => key in alignOptionsSchema.shape));
  const parsed = alignOptionsSchema.safeParse(known);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
    throw new ShenbiError('INVALID_INPUT', `Bad alignment options: ${issues.join('; ')}`, { details: { issues } });
  }
}

function checkAudio(audio: PcmAudio, what: string): void {
  if (!(audio.sampleRate > 0) || audio.samples.length === 0) {
    throw new ShenbiError('MEDIA_INVALID', `The ${what} is empty (no samples), so there is nothing to align.`);
  }
}

/** MFCCs with c0 optionally dropped. */
function features(audio: PcmAudio, options: AlignOptions): FeatureFrames {
  let full: FeatureFrames;
  try {
    full = mfcc(audio, options.mfcc);
  } catch (error) {
    if (error instanceof RangeError) throw new ShenbiError('INVALID_INPUT', `Bad MFCC options: ${error.message}`, { cause: error });
    throw error;
  }
  if (options.useEnergy !== false || full.dims < 2) return full;
  const dims = full.dims - 1;
  const data = new Float32Array(full.count * dims);
  for (let i = 0; i < full.count; i++) data.set(full.data.subarray(i * full.dims + 1, (i + 1) * full.dims), i * dims);
  return { data, count: full.count, dims, hopSeconds: full.hopSeconds };
}

/**
 * Maps each reference word onto `audio`. Words come back in order with non-decreasing starts,
 * end ≥ start, and all inside [0, duration of audio].
 */
export function alignToReference(audio: PcmAudio, reference: ReferenceSpeech, options: AlignOptions = {}): TimedText[] {
  checkOptions(options);
  checkAudio(audio, 'audio');
  checkAudio(reference.audio, 'reference audio');
  if (reference.words.length === 0) throw new ShenbiError('INVALID_INPUT', 'The reference has no timed words to align.');

  const audioSpan = soundSpan(audio);
  if (audioSpan === undefined) throw new ShenbiError('MEDIA_INVALID', 'The audio is silent: there is no speech to align the script to.');
  const referenceSpan = soundSpan(reference.audio);
  if (referenceSpan === undefined) throw new ShenbiError('MEDIA_INVALID', 'The reference speech is silent.');
  const audioSeconds = audioSpan.end - audioSpan.start;
  const referenceSeconds = referenceSpan.end - referenceSpan.start;
  const ratio = Math.max(audioSeconds / referenceSeconds, referenceSeconds / audioSeconds);
  const maxRatio = options.maxDurationRatio ?? 4;
  if (ratio > maxRatio) {
    throw new ShenbiError(
      'INVALID_INPUT',
      `The script does not fit the audio: spoken, it takes about ${referenceSeconds.toFixed(1)} s, but the audio has ${audioSeconds.toFixed(1)} s of sound (${ratio.toFixed(1)}× apart; at most ${maxRatio}× is accepted).`,
      {
        hint: 'Check that the script is the text of this recording (the whole of it, and nothing more).',
        details: { audioSeconds, referenceSeconds, ratio, maxDurationRatio: maxRatio },
      },
    );
  }

  const audioFeatures = features(slicePcm(audio, audioSpan.start, audioSpan.end), options);
  const referenceFeatures = features(slicePcm(reference.audio, referenceSpan.start, referenceSpan.end), options);
  const hop = audioFeatures.hopSeconds;
  const bandSeconds = options.bandSeconds ?? Math.max(5, 0.25 * Math.max(audioSeconds, referenceSeconds));
  const { path } = dtwMultiscale(audioFeatures, referenceFeatures, {
    window: Math.ceil(bandSeconds / hop),
    distance: options.distance ?? 'cosine',
  });
  const toAudio = referenceToAudioTime(path, referenceFeatures.count, hop);

  const duration = durationOf(audio);
  const clamp = (t: number): number => Math.min(duration, Math.max(0, t));
  const map = (t: number): number => clamp(audioSpan.start + toAudio(t - referenceSpan.start));
  const out: TimedText[] = [];
  let previousStart = 0;
  for (const word of reference.words) {
    const start = Math.max(previousStart, map(word.start));
    const end = Math.max(start, map(word.end));
    out.push({ text: word.text, start, end });
    previousStart = start;
  }
  const minPauseSeconds = options.minPauseSeconds ?? 0.2;
  return minPauseSeconds > 0 ? trimWordsToSound(out, findPauses(audio, { minPauseSeconds })) : out;
}

const alignTask = offThreadTask(new URL(import.meta.url), self, 'alignToReference');

/** The alignment settings alone (no function or signal: they cross to a worker thread). */
function alignSettings(options: AlignOptions): AlignOptions {
  const { distance, bandSeconds, maxDurationRatio, useEnergy, mfcc: mfccOptions, minPauseSeconds } = options;
  return {
    ...(distance === undefined ? {} : { distance }),
    ...(bandSeconds === undefined ? {} : { bandSeconds }),
    ...(maxDurationRatio === undefined ? {} : { maxDurationRatio }),
    ...(useEnergy === undefined ? {} : { useEnergy }),
    ...(mfccOptions === undefined ? {} : { mfcc: mfccOptions }),
    ...(minPauseSeconds === undefined ? {} : { minPauseSeconds }),
  };
}

/**
 * Synthesizes `script` with the injected TTS and aligns its words (and sentences) onto
 * `audio`; the MFCC and DTW work runs on the worker pool.
 */
export async function forcedAlign(audio: PcmAudio, script: string, options: ForcedAlignOptions): Promise<ForcedAlignment> {
  checkOptions(options);
  if (typeof script !== 'string' || script.trim() === '') throw new ShenbiError('INVALID_INPUT', 'The script to align is empty.');
  if (typeof options.synthesize !== 'function') throw new ShenbiError('INVALID_INPUT', 'forcedAlign needs a synthesize function.');
  checkAudio(audio, 'audio');
  if (options.signal?.aborted) throw options.signal.reason;
  const reference = await synthesizeReference(script, options.synthesize, {
    ...(options.language === undefined ? {} : { language: options.language }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    maxChunkChars: options.maxChunkChars ?? 4000,
  });
  if (options.signal?.aborted) throw options.signal.reason;
  const words = await runOffThread(alignTask, [audio, reference, alignSettings(options)], options.signal === undefined ? {} : { signal: options.signal });
  return { words, sentences: sentencesFromWords(script, words) };
}
