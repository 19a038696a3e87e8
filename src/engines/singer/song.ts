import type { TimedText } from '../../core/timing.ts';
import { normalizeLoudness } from '../../media/audio/loudness.ts';
import { duckAndMix, gainTo } from '../../media/audio/mix.ts';
import { downmix, type PcmAudio } from '../../media/audio/pcm.ts';
import { resample } from '../../media/audio/resample.ts';
import { writeLrc } from '../../media/subtitles/index.ts';
import { compose, ticksToSeconds, toMidi, type ComposeRequest, type Composition } from '../composer/index.ts';
import { renderMidi } from '../soundfont/render-midi.ts';
import { singMelody, type SyllableVoice } from './sing.ts';

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

/**
 * Lyrics → finished song: compose, render the accompaniment from its MIDI, sing (or speak)
 * the lyrics on the melody, duck the bed under the voice, master to the loudness target with
 * a −1 dBTP ceiling, and write the lyric sheet (LRC with per-syllable times).
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
  const stereo = await renderMidi(midi, { sampleRate: SAMPLE_RATE, ...(request.soundFontPath ? { soundFontPath: request.soundFontPath } : {}), ...(signal ? { signal } : {}) });
  const interleaved = new Float32Array(stereo.left.length * 2);
  for (let i = 0; i < stereo.left.length; i++) {
    interleaved[2 * i] = stereo.left[i]!;
    interleaved[2 * i + 1] = stereo.right[i]!;
  }
  const bed: PcmAudio = { sampleRate: SAMPLE_RATE, samples: downmix(interleaved, 2) };
  lap('renderMs', t);

  t = performance.now();
  let mix = bed;
  const vocals = request.vocals ?? 'sung';
  if (vocals === 'sung') {
    const voice = await singMelody(composition, voices.syllable, { sampleRate: SAMPLE_RATE, ...(signal ? { signal } : {}) });
    mix = duckAndMix(gainTo(bed, -24), gainTo(voice, -16));
  } else if (vocals === 'spoken') {
    const voice = new Float32Array(bed.samples.length);
    for (const line of composition.lines) {
      const spoken = await voices.line(line.text, signal);
      const at = Math.round(ticksToSeconds(line.startTick, composition.tempo) * SAMPLE_RATE);
      const audio = resample(spoken, SAMPLE_RATE).samples;
      for (let i = 0; i < audio.length && at + i < voice.length; i++) voice[at + i] = audio[i]!;
    }
    mix = duckAndMix(gainTo(bed, -24), gainTo({ sampleRate: SAMPLE_RATE, samples: voice }, -16));
  }
  lap('vocalsMs', t);

  t = performance.now();
  const audio = normalizeLoudness(mix, { targetLufs: request.loudness ?? -14, peakDb: -1 });
  lap('masterMs', t);

  const seconds = (tick: number) => ticksToSeconds(tick, composition.tempo);
  const lines: TimedText[] = composition.lines.map((l) => ({ text: l.text, start: seconds(l.startTick), end: seconds(l.endTick) }));
  const words: TimedText[][] = composition.lines.map((_, i) =>
    composition.syllables.filter((s) => s.line === i).map((s) => ({ text: s.text, start: seconds(s.startTick), end: seconds(s.startTick + s.durationTicks) })),
  );
  const lyricSheet = writeLrc(lines, { ...(request.title ? { title: request.title } : {}), words, length: audio.samples.length / SAMPLE_RATE });
  return { composition, midi, audio, lyricSheet, lines, timings };
}
