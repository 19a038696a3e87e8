/**
 * The envelope and the mouth track off the event loop (worker pool): linear in the audio and
 * the frames, but a long script is tens of thousands of frames. Same functions, same results.
 */
import type { PcmAudio } from '../../../media/audio/pcm.ts';
import { offThreadTask, runOffThread, type OffThreadOptions } from '../../../workers/off-thread.ts';
import { ownBuffer } from '../../../workers/transferables.ts';
import type { MouthTrack, TimedViseme } from '../types.ts';
import * as envelopeModule from './speech-envelope.ts';
import * as trackModule from './mouth-track.ts';

const envelopeTask = offThreadTask(new URL('./speech-envelope.ts', import.meta.url), envelopeModule, 'speechEnvelope');
const trackTask = offThreadTask(new URL('./mouth-track.ts', import.meta.url), trackModule, 'mouthTrack');

/** Below about a second of audio / 25 frames the hop to a worker is not worth it. */
const SMALL_SAMPLES = 48_000;
const SMALL_FRAMES = 25;

export type VisemesOffThreadOptions = Pick<OffThreadOptions, 'signal'>;

/** `speechEnvelope` on the worker pool. */
export function speechEnvelopeOffThread(audio: PcmAudio, fps: number, run: VisemesOffThreadOptions = {}): Promise<Float32Array> {
  // A subarray would take its whole buffer along: copy just its samples.
  const tight = ownBuffer(audio.samples) === undefined ? { sampleRate: audio.sampleRate, samples: audio.samples.slice() } : audio;
  return runOffThread(envelopeTask, [tight, fps], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
}

/** `mouthTrack` on the worker pool. */
export function mouthTrackOffThread(
  input: { visemes: readonly TimedViseme[]; duration: number; fps: number; envelope?: Float32Array },
  run: VisemesOffThreadOptions = {},
): Promise<MouthTrack> {
  return runOffThread(trackTask, [input], { ...run, inline: input.duration * input.fps < SMALL_FRAMES });
}
