import type { PcmAudio } from '../../media/audio/pcm.ts';
import { offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import type { Composition } from '../composer/composition.ts';
import * as vocalTrack from './vocal-track.ts';

/** Speaks one syllable in a steady (monotone) voice. */
export type SyllableVoice = (text: string, signal?: AbortSignal) => Promise<PcmAudio>;

const vocalTrackTask = offThreadTask(new URL('./vocal-track.ts', import.meta.url), vocalTrack, 'layVocalTrack');

/**
 * The lyrics sung on the melody: each syllable is spoken in a monotone voice, then retuned
 * to its note's pitch and stretched to its length by PSOLA, with short fades, and laid on the
 * song's timeline (on the worker pool: `layVocalTrack`). Unvoiced syllables (no pitch found)
 * are only stretched.
 */
export async function singMelody(song: Composition, voice: SyllableVoice, options: { sampleRate: number; signal?: AbortSignal }): Promise<PcmAudio> {
  const spoken = new Map<string, PcmAudio>();
  for (const syllable of song.syllables) {
    options.signal?.throwIfAborted();
    if (!spoken.has(syllable.text)) spoken.set(syllable.text, await voice(syllable.text, options.signal));
  }
  const melody: vocalTrack.SungMelody = { syllables: song.syllables, totalTicks: song.totalTicks, tempo: song.tempo };
  return runOffThread(vocalTrackTask, [melody, spoken, options.sampleRate], options.signal === undefined ? {} : { signal: options.signal });
}
