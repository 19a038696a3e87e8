import type { TimedText } from '../../core/timing.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { writeLrc } from '../../media/subtitles/index.ts';
import { movable, offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import { compose, ticksToSeconds, toMidi, type ComposeRequest, type Composition } from '../composer/index.ts';
import { renderMidi } from '../soundfont/render-midi.ts';
import * as mastering from './master.ts';
import { singMelody, type SyllableVoice } from './sing.ts';
import * as vocalTrack from './vocal-track.ts';

export interface SongRequest extends ComposeRequest {
  /** Sing the lyrics (default), speak them over the music, or leave the music instrumental. */
  vocals?: 'sung' | 'spoken' | 'none';
  soundFontPath?: string;
  /** Integrated loudness of the master, LUFS. */
  loudness?: number;
  title?: string;
}

export interface SongParts {
  composition: Composition;
  midi: Uint8Array;
  /** Mastered mix. */
  audio: PcmAudio;
  lyricSheet: string;
  lines: TimedText[];
  timings: Record<string, number>;
}

export interface SongVoices {
  /** A monotone syllable, for singing. */
  syllable: SyllableVoice;
  /** A whole line spoken naturally, for the spoken-word option. */
  line: (text: string, signal?: AbortSignal) => Promise<PcmAudio>;
}

const SAMPLE_RATE = 44_100;

const spokenTrackTask = offThreadTask(new URL('./vocal-track.ts', import.meta.url), vocalTrack, 'laySpokenTrack');
const masterTask = offThreadTask(new URL('./master.ts', import.meta.url), mastering, 'masterSong');

/**
 * Lyrics → finished song: compose, render the accompaniment from its MIDI, sing (or speak)
 * the lyrics on the melody, duck the bed under the voice, master to the loudness target with
 * a −1 dBTP ceiling, and write the lyric sheet (LRC with per-syllable times). Rendering, the
 * vocal's DSP and the master run on the worker pool; this thread only orchestrates.
 */
export async function makeSong(request: SongRequest, voices: SongVoices, signal?: AbortSignal): Promise<SongParts> {
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = Math.round(performance.now() - since));
  let t = performance.now();
  const { lyrics, style, seed, introBars, outroBars } = request;
  const composition = compose({ lyrics, ...(style ? { style } : {}), ...(seed === undefined ? {} : { seed }), ...(introBars === undefined ? {} : { introBars }), ...(outroBars === undefined ? {} : { outroBars }) });
  const midi = toMidi(composition);
  lap('composeMs', t);

  t = performance.now();
  const run = signal === undefined ? {} : { signal };
  const stereo = await renderMidi(midi, { sampleRate: SAMPLE_RATE, ...(request.soundFontPath ? { soundFontPath: request.soundFontPath } : {}), ...run });
  lap('renderMs', t);

  t = performance.now();
  let voice: PcmAudio | undefined;
  const vocals = request.vocals ?? 'sung';
  if (vocals === 'sung') {
    voice = await singMelody(composition, voices.syllable, { sampleRate: SAMPLE_RATE, ...run });
  } else if (vocals === 'spoken') {
    const lines: { at: number; audio: PcmAudio }[] = [];
    for (const line of composition.lines) {
      const spoken = await voices.line(line.text, signal);
      lines.push({ at: Math.round(ticksToSeconds(line.startTick, composition.tempo) * SAMPLE_RATE), audio: spoken });
    }
    voice = await runOffThread(spokenTrackTask, [lines, stereo.left.length, SAMPLE_RATE], run);
  }
  lap('vocalsMs', t);

  t = performance.now();
  // The bed and the vocal are this function's own: moved to the worker, not copied.
  const transfer = movable(stereo.left, stereo.right, ...(voice === undefined ? [] : [voice.samples]));
  const audio = await runOffThread(masterTask, [stereo, voice, request.loudness ?? -14], { ...run, transfer });
  lap('masterMs', t);

  const seconds = (tick: number) => ticksToSeconds(tick, composition.tempo);
  const lines: TimedText[] = composition.lines.map((l) => ({ text: l.text, start: seconds(l.startTick), end: seconds(l.endTick) }));
  const words: TimedText[][] = composition.lines.map((_, i) =>
    composition.syllables.filter((s) => s.line === i).map((s) => ({ text: s.text, start: seconds(s.startTick), end: seconds(s.startTick + s.durationTicks) })),
  );
  const lyricSheet = writeLrc(lines, { ...(request.title ? { title: request.title } : {}), words, length: audio.samples.length / SAMPLE_RATE });
  return { composition, midi, audio, lyricSheet, lines, timings };
}
