import type { PcmAudio } from '../../media/audio/pcm.ts';
import { movable, offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import { renderMidi } from '../soundfont/render-midi.ts';
import * as mastering from './master.ts';

export interface MidiFileRequest {
  /** A Standard MIDI File, e.g. one the user wrote in a sequencer. */
  midi: Uint8Array;
  /** An SF2/SF3 SoundFont's bytes; default: the bundled FluidR3Mono. */
  soundFont?: Uint8Array;
  /** Integrated loudness of the master, LUFS. */
  loudness?: number;
  signal?: AbortSignal;
}

const masterTask = offThreadTask(new URL('./master.ts', import.meta.url), mastering, 'masterSong');

/**
 * The user's own MIDI file rendered with a SoundFont and mastered like a song's instrumental
 * bed (loudness target, −1 dBTP ceiling). Rendering and mastering run on the worker pool.
 */
export async function renderMidiFile(request: MidiFileRequest): Promise<PcmAudio> {
  const run = request.signal === undefined ? {} : { signal: request.signal };
  const stereo = await renderMidi(request.midi, { sampleRate: 44_100, ...(request.soundFont ? { soundFontBytes: request.soundFont } : {}), ...run });
  return runOffThread(masterTask, [stereo, undefined, request.loudness ?? -14], { ...run, transfer: movable(stereo.left, stereo.right) });
}
