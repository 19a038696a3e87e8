/**
 * A song's mixdown and master, as one worker-pool task: the rendered stereo bed to mono, the
 * vocal (if any) over it with the bed ducked, then loudness to the target with a −1 dBTP
 * ceiling.
 */
import { normalizeLoudness } from '../../media/audio/loudness.ts';
import { duckAndMix, gainTo } from '../../media/audio/mix.ts';
import { downmix, type PcmAudio } from '../../media/audio/pcm.ts';
import type { RenderedStereo } from '../soundfont/render-midi.ts';

/** The master's true-peak ceiling, dBTP. */
export const SONG_PEAK_DB = -1;

export function masterSong(stereo: RenderedStereo, voice: PcmAudio | undefined, targetLufs: number): PcmAudio {
  const interleaved = new Float32Array(stereo.left.length * 2);
  for (let i = 0; i < stereo.left.length; i++) {
    interleaved[2 * i] = stereo.left[i]!;
    interleaved[2 * i + 1] = stereo.right[i]!;
  }
  const bed: PcmAudio = { sampleRate: stereo.sampleRate, samples: downmix(interleaved, 2) };
  const mix = voice === undefined ? bed : duckAndMix(gainTo(bed, -24), gainTo(voice, -16));
  return normalizeLoudness(mix, { targetLufs, peakDb: SONG_PEAK_DB });
}
