import { decodeWav, encodeWav } from '../../media/audio/wav.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { aiRhythm, dbToLinear, labelLevelDb } from './rhythm.ts';

/**
 * The overlay label for the WAV files Shenbi's own voices write (mono 16-bit PCM with nothing
 * but `fmt ` and `data` chunks), mixed in process: the same sum ffmpeg's amix (normalize=0)
 * makes, without two process starts and temp files per file. That matters for an NPC whose
 * first sentence should sound as soon as it is voiced. Any other WAV (stereo, float, tagged
 * with LIST/iXML chunks that ffmpeg would carry over) returns undefined and takes ffmpeg.
 */
export function plainMonoPcm16(bytes: Uint8Array): PcmAudio | undefined {
  if (bytes.length < 44) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    if (id !== 'fmt ' && id !== 'data') return undefined;
    offset += 8 + view.getUint32(offset + 4, true);
  }
  try {
    const wav = decodeWav(bytes);
    const { channels, bitsPerSample, format } = wav.info;
    return channels === 1 && bitsPerSample === 16 && format === 'pcm' ? { sampleRate: wav.sampleRate, samples: wav.samples } : undefined;
  } catch {
    return undefined;
  }
}

export interface RhythmOverlay {
  readonly bytes: Uint8Array;
  readonly levelDb: number;
  readonly labelSeconds: number;
}

/**
 * The whole in-process overlay (a worker-pool task: it reads, mixes and writes every sample):
 * the rhythm 6 dB under the content's level at its start and/or end; undefined when the file
 * is not a plain mono 16-bit WAV.
 */
export function overlayRhythmOnPlainWav(bytes: Uint8Array, placement: 'start' | 'end' | 'both'): RhythmOverlay | undefined {
  const plain = plainMonoPcm16(bytes);
  if (plain === undefined) return undefined;
  const levelDb = labelLevelDb(plain);
  // A sine's RMS is its peak / √2.
  const rhythm = aiRhythm(plain.sampleRate, dbToLinear(levelDb) * Math.SQRT2);
  const end = Math.max(0, plain.samples.length - rhythm.samples.length);
  const offsets = { start: [0], end: [end], both: [0, end] }[placement];
  return { bytes: overlayPcm(plain, rhythm, offsets), levelDb, labelSeconds: rhythm.samples.length / plain.sampleRate };
}

/** content + label at `offsetSamples` (the label is cut at the content's end), as 16-bit WAV. */
export function overlayPcm(content: PcmAudio, label: PcmAudio, offsetsSamples: readonly number[]): Buffer {
  const mixed = new Float32Array(content.samples);
  for (const offset of offsetsSamples) {
    const start = Math.max(0, offset);
    const end = Math.min(mixed.length, offset + label.samples.length);
    for (let i = start; i < end; i++) mixed[i] = mixed[i]! + label.samples[i - offset]!;
  }
  return encodeWav({ sampleRate: content.sampleRate, samples: mixed });
}
