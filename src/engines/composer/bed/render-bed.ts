import { ShenbiError } from '../../../core/errors.ts';
import { normalizeLoudness } from '../../../media/audio/loudness.ts';
import { fitWithFades } from '../../../media/audio/fit.ts';
import type { PcmAudio } from '../../../media/audio/pcm.ts';
import { offThreadTask, runOffThread } from '../../../workers/off-thread.ts';
import { renderMidiInThread } from '../../soundfont/render-midi.ts';
import { BED_FADES, composeBed, type BedRequest } from './compose-bed.ts';
import * as self from './render-bed.ts';

/** The rate the short's mix and the video's AAC track use, so a bed needs no resampling. */
export const BED_SAMPLE_RATE = 48_000;
/** A bed's level before the mix sets it under the voice: well under speech, never clipping. */
export const BED_LUFS = -20;

export interface RenderBedOptions extends BedRequest {
  /** Default 48 kHz. */
  sampleRate?: number;
  signal?: AbortSignal;
}

const renderTask = offThreadTask(new URL(import.meta.url), self, 'renderBedInThread');

/**
 * The mood's bed rendered with the bundled SoundFont (FluidR3Mono) on the worker pool: mono,
 * exactly `seconds` long (to the sample), faded in over 1 s and out over 2 s, at −20 LUFS.
 * Aborting `signal` stops the thread. INVALID_INPUT for a mood, length or seed out of range.
 */
export async function renderBed(options: RenderBedOptions): Promise<PcmAudio> {
  const { signal, sampleRate, ...request } = options;
  // Validated here too, so bad input fails before a thread is woken.
  composeBed(request);
  if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate < 8_000 || sampleRate > 192_000)) {
    throw new ShenbiError('INVALID_INPUT', `the music bed's sample rate must be an integer from 8000 to 192000 Hz, not ${sampleRate}`);
  }
  return runOffThread(renderTask, [{ ...request, ...(sampleRate === undefined ? {} : { sampleRate }) }], signal === undefined ? {} : { signal });
}

/** renderBed in this thread (the worker's side). */
export async function renderBedInThread(options: Omit<RenderBedOptions, 'signal'>): Promise<PcmAudio> {
  const { sampleRate = BED_SAMPLE_RATE, ...request } = options;
  const { midi, seconds } = composeBed(request);
  const stereo = await renderMidiInThread(midi, { sampleRate, tailSeconds: 0.5 });
  const mono = new Float32Array(stereo.left.length);
  for (let i = 0; i < mono.length; i++) mono[i] = (stereo.left[i]! + stereo.right[i]!) / 2;
  const fitted = fitWithFades({ sampleRate, samples: mono }, Math.round(seconds * sampleRate), BED_FADES.in, BED_FADES.out);
  return normalizeLoudness(fitted, { targetLufs: BED_LUFS, peakDb: -3 });
}
