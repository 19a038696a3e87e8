import { decodeAudio, encodeAudio, type AudioFormat, type EncodeOptions } from './encode.ts';
import { integratedLoudnessOffThread, normalizeLoudnessOffThread, truePeakDbOffThread } from './off-thread.ts';
import type { PcmAudio } from './pcm.ts';

/**
 * A mastered signal encoded so that the FILE, not just the master, meets the loudness target.
 * WAV and FLAC are the master itself (the channels carry it at −3 dB each, which keeps the
 * BS.1770 loudness). Lossy codecs move it: LAME at 128 kbit/s took 0.5 LU off a song, and
 * Vorbis and MP3 overshoot the true peak by up to ~0.5 dB. So a lossy file is decoded and
 * measured, and the master is redone with the codec's offset added to the target and its
 * overshoot taken off the ceiling, then encoded again (at most twice).
 */

export interface LoudnessTarget {
  /** Integrated loudness the file must measure, LUFS. */
  targetLufs: number;
  /** True-peak ceiling of the file, dBTP. */
  peakDb: number;
}

/** How close the file must come before another pass is worth it (well inside ±0.5 LU). */
const LOUDNESS_TOLERANCE_LU = 0.15;
/** Extra room under the ceiling for the meters' (ours vs. ffmpeg's) small true-peak differences. */
const PEAK_MARGIN_DB = 0.2;
const MAX_PASSES = 2;
const LOSSLESS: ReadonlySet<AudioFormat> = new Set(['wav', 'flac']);

export async function encodeToLoudness(master: PcmAudio, format: AudioFormat, target: LoudnessTarget, options: EncodeOptions = {}): Promise<Buffer> {
  let bytes = await encodeAudio(master, format, options);
  if (LOSSLESS.has(format)) return bytes;
  const run = options.signal === undefined ? {} : { signal: options.signal };
  let aimLufs = target.targetLufs;
  let ceilingDb = target.peakDb;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const measured = await measureFile(bytes, options.channels ?? 1, options.signal);
    const loudnessError = target.targetLufs - measured.lufs;
    const peakOver = measured.truePeakDb - (target.peakDb - PEAK_MARGIN_DB);
    if (Math.abs(loudnessError) <= LOUDNESS_TOLERANCE_LU && peakOver <= 0) return bytes;
    aimLufs += loudnessError;
    if (peakOver > 0) ceilingDb -= peakOver;
    const remastered = await normalizeLoudnessOffThread(master, { targetLufs: aimLufs, peakDb: ceilingDb }, run);
    bytes = await encodeAudio(remastered, format, options);
  }
  return bytes;
}

/**
 * The file's BS.1770 loudness and per-channel true peak. The channels are equal (one mono
 * signal), so their mix is any one of them: the file's loudness is that signal's plus
 * 10·log10(channels), the power of every channel summed.
 */
async function measureFile(bytes: Uint8Array, channels: number, signal: AbortSignal | undefined): Promise<{ lufs: number; truePeakDb: number }> {
  const run = signal === undefined ? {} : { signal };
  const decoded = await decodeAudio(bytes, { ...run, averageChannels: true });
  const [loudness, peak] = await Promise.all([integratedLoudnessOffThread(decoded, run), truePeakDbOffThread(decoded, run)]);
  return { lufs: loudness + 10 * Math.log10(channels), truePeakDb: peak };
}
