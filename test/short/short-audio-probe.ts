import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { decodeAudio } from '../../src/media/audio/encode.ts';
import type { PcmAudio } from '../../src/media/audio/pcm.ts';

/**
 * Measurements of a finished short's sound, for the end-to-end test and the bench: its track
 * decoded by ffmpeg, ffmpeg's own EBU R128 loudness, levels over spans, and where each effect starts.
 */

const run = promisify(execFile);
/** The mixer's rate, so Shenbi's effects can be synthesised here sample for sample as they were mixed. */
export const PROBE_RATE = 48_000;

/** The MP4's audio as mono PCM (channels averaged). */
export async function decodeTrack(path: string): Promise<PcmAudio> {
  return decodeAudio(await readFile(path), { sampleRate: PROBE_RATE, averageChannels: true });
}

/** Integrated loudness (LUFS) as ffmpeg's ebur128 filter measures it: an independent check of our own meter. */
export async function ebur128Lufs(path: string): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-map', '0:a:0', '-af', 'ebur128', '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 });
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const match = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  if (!match) throw new Error(`no integrated loudness in ffmpeg's output:\n${summary.slice(0, 500)}`);
  return Number(match[1]);
}

/** RMS level (dBFS) of [from, to) seconds. */
export function levelDb(audio: PcmAudio, from: number, to: number): number {
  const a = Math.max(0, Math.round(from * audio.sampleRate));
  const b = Math.min(audio.samples.length, Math.round(to * audio.sampleRate));
  let sum = 0;
  for (let i = a; i < b; i++) sum += audio.samples[i]! ** 2;
  return 10 * Math.log10(sum / Math.max(1, b - a) + 1e-12);
}

export interface Onset {
  readonly expected: number;
  /** Where the effect's waveform starts in the track (the correlation peak), or null when it is not there. */
  readonly found: number | null;
  /** The normalised correlation at that point (0..1): how much of the track there is this effect. */
  readonly correlation: number;
}

/** Samples of the effect matched: its first quarter second, where its onset is. */
const TEMPLATE_SECONDS = 0.25;

/**
 * Where each effect starts in the finished track, by matched filtering: the effect's own
 * waveform (Shenbi's effects are deterministic for their seed, recorded in the provenance) is
 * slid over ±`search` s around its expected time, and its onset is the lag of the highest
 * normalised correlation. The narration and the bed are uncorrelated with it, so their level
 * barely matters; without the effect in the mix the correlation stays near zero (`found`
 * null below `minCorrelation`). A difference against a second render without effects does not
 * work here: eSpeak's voice is not sample-identical from one synthesis to the next.
 */
export function effectOnsets(track: PcmAudio, effects: readonly { time: number; audio: PcmAudio }[], options: { search?: number; minCorrelation?: number } = {}): Onset[] {
  const search = options.search ?? 0.3;
  const minCorrelation = options.minCorrelation ?? 0.2;
  const rate = track.sampleRate;
  const y = track.samples;
  return effects.map(({ time, audio }) => {
    if (audio.sampleRate !== rate) throw new Error(`the effect is at ${audio.sampleRate} Hz, the track at ${rate} Hz`);
    // From the effect's first audible sample (it may start with a few silent ones).
    const first = Math.max(0, audio.samples.findIndex((v) => Math.abs(v) > 1e-4));
    const template = audio.samples.subarray(first, first + Math.round(TEMPLATE_SECONDS * rate));
    let energy = 0;
    for (const v of template) energy += v * v;
    const length = template.length;
    const from = Math.max(0, Math.round((time - search) * rate) + first);
    const to = Math.min(y.length - length, Math.round((time + search) * rate) + first);
    // Running energy of the track under the template.
    let window = 0;
    for (let i = from; i < from + length; i++) window += y[i]! ** 2;
    let best = 0;
    let bestAt = -1;
    for (let lag = from; lag <= to; lag++) {
      let dot = 0;
      for (let i = 0; i < length; i++) dot += y[lag + i]! * template[i]!;
      const c = dot / Math.sqrt(energy * Math.max(window, 1e-12));
      if (c > best) {
        best = c;
        bestAt = lag;
      }
      window += y[lag + length]! ** 2 - y[lag]! ** 2;
    }
    return { expected: time, found: best >= minCorrelation && bestAt >= 0 ? (bestAt - first) / rate : null, correlation: best };
  });
}
