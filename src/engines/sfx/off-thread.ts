import type { PcmAudio } from '../../media/audio/pcm.ts';
import type { SoundEffect } from '../short/short-script.ts';
import { offThreadTask, runOffThread, type OffThreadOptions } from '../../workers/off-thread.ts';
import * as synthesis from './synthesize.ts';
import type { SynthesizeOptions } from './synthesize.ts';

const synthesizeTask = offThreadTask(new URL('./synthesize.ts', import.meta.url), synthesis, 'synthesizeEffect');

/**
 * `synthesizeEffect` on the worker pool: the longer effects (crowd, thunder) take tens of
 * milliseconds each, too long for the server's event loop. Same samples as in this thread.
 */
export function synthesizeEffectOffThread(effect: SoundEffect, options: SynthesizeOptions, run: Pick<OffThreadOptions, 'signal'> = {}): Promise<PcmAudio> {
  return runOffThread(synthesizeTask, [effect, options], run);
}
