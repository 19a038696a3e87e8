import { allocPcm16Wav, readWavLayout, toPcm16 } from '../../media/audio/wav.ts';
import { aiRhythm, activeRmsOf, dbToLinear, labelLevelDbForRms } from './rhythm.ts';

/**
 * The overlay label for the WAV files Shenbi's own voices write (mono 16-bit PCM with nothing
 * but `fmt ` and `data` chunks), mixed in process: the same sum ffmpeg's amix (normalize=0)
 * makes, without two process starts and temp files per file. That matters for an NPC whose
 * first sentence should sound as soon as it is voiced. Any other WAV (stereo, float, tagged
 * with LIST/iXML chunks that ffmpeg would carry over) returns undefined and takes ffmpeg.
 */
export function plainMonoPcm16(bytes: Uint8Array): { sampleRate: number; pcm: Int16Array } | undefined {
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
  let layout;
  try {
    layout = readWavLayout(bytes);
  } catch {
    return undefined;
  }
  if (layout.channels !== 1 || layout.bitsPerSample !== 16 || layout.format !== 'pcm') return undefined;
  const at = bytes.byteOffset + layout.dataStart;
  // Read in place; an odd offset (never in files Shenbi writes) gets an aligned copy.
  const pcm = at % 2 === 0 ? new Int16Array(bytes.buffer, at, layout.frames) : new Int16Array(bytes.slice(layout.dataStart, layout.dataStart + 2 * layout.frames).buffer);
  return { sampleRate: layout.sampleRate, pcm };
}

export interface RhythmOverlay {
  readonly bytes: Uint8Array;
  readonly levelDb: number;
  readonly labelSeconds: number;
}

/**
 * The whole in-process overlay (a worker-pool task: it reads, mixes and writes every sample):
 * the rhythm 6 dB under the content's level at its start and/or end; undefined when the file
 * is not a plain mono 16-bit WAV. `inPlace`: the caller gives `bytes` up (they were moved
 * here), so a file laid out as the output would be is rewritten where it lies, with no
 * second copy of the file made; the result is the same either way.
 */
export function overlayRhythmOnPlainWav(bytes: Uint8Array, placement: 'start' | 'end' | 'both', inPlace = false): RhythmOverlay | undefined {
  const plain = plainMonoPcm16(bytes);
  if (plain === undefined) return undefined;
  const { sampleRate, pcm } = plain;
  const levelDb = labelLevelDbForRms(activeRmsOf(pcm, 1 / 32768, sampleRate));
  // A sine's RMS is its peak / √2.
  const rhythm = aiRhythm(sampleRate, dbToLinear(levelDb) * Math.SQRT2);
  const end = Math.max(0, pcm.length - rhythm.samples.length);
  const offsets = { start: [0], end: [end], both: [0, end] }[placement];
  const into = inPlace && isCanonicalPcm16Wav(bytes, sampleRate, pcm.length) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
  return { bytes: overlayPcm16(sampleRate, pcm, rhythm.samples, offsets, into), levelDb, labelSeconds: rhythm.samples.length / sampleRate };
}

/** Whether `bytes` are byte for byte the header allocPcm16Wav writes, then the samples and nothing else. */
function isCanonicalPcm16Wav(bytes: Uint8Array, sampleRate: number, frames: number): boolean {
  if (bytes.byteLength !== 44 + 2 * frames || bytes.byteOffset % 2 !== 0) return false;
  const header = allocPcm16Wav(sampleRate, 1, 0);
  header.writeUInt32LE(36 + 2 * frames, 4);
  header.writeUInt32LE(2 * frames, 40);
  return header.equals(bytes.subarray(0, 44));
}

/**
 * Each 16-bit sample as it comes out of a decode (÷ 32768) and re-encode (encodeWav): the
 * samples the label does not touch, without a float copy of the file. (Positive samples above
 * 16384 lose one step on that way; kept, so the file is the one the float path wrote.)
 */
let roundTrip: Int16Array | undefined;
function reencoded(): Int16Array {
  if (roundTrip === undefined) {
    roundTrip = new Int16Array(65536);
    for (let x = -32768; x < 32768; x++) roundTrip[x + 32768] = toPcm16(x / 32768);
  }
  return roundTrip;
}

/**
 * content + label at each offset (cut at the content's end), as 16-bit WAV: the same file as
 * decoding to float, adding the label in float32 and encoding (encodeWav), sample for sample.
 * Written into `into` when given (the file `pcm` lies in, with allocPcm16Wav's header), else
 * into a new file.
 */
export function overlayPcm16(sampleRate: number, pcm: Int16Array, label: Float32Array, offsets: readonly number[], into?: Buffer): Buffer {
  // The labelled spans in float32 first, as the float path sums them (overlapping spans add up
  // in order), from the samples as they are: a pass in place below overwrites them.
  const spans = offsets.map((offset) => [Math.max(0, offset), Math.min(pcm.length, offset + label.length)] as const);
  const from = Math.min(...spans.map(([start]) => start));
  const to = Math.max(...spans.map(([, stop]) => stop));
  // Apart (a long file labelled at both ends): a float span each; overlapping: one span for both.
  const apart = spans.length === 2 && spans[1]![0] >= spans[0]![1];
  const groups = to <= from ? [] : apart ? spans.map((span, k) => ({ span, offsets: [offsets[k]!] })) : [{ span: [from, to] as const, offsets }];
  const mixedSpans = groups.map(({ span: [start, stop], offsets: within }) => {
    const mixed = new Float32Array(stop - start);
    for (let i = start; i < stop; i++) mixed[i - start] = pcm[i]! / 32768;
    for (const offset of within) {
      const a = Math.max(start, offset);
      const b = Math.min(stop, offset + label.length);
      for (let i = a; i < b; i++) mixed[i - start] = mixed[i - start]! + label[i - offset]!;
    }
    return { start, mixed };
  });
  const out = into ?? allocPcm16Wav(sampleRate, 1, pcm.length);
  const written = new Int16Array(out.buffer, out.byteOffset + 44, pcm.length);
  const table = reencoded();
  for (let i = 0; i < pcm.length; i++) written[i] = table[pcm[i]! + 32768]!;
  for (const { start, mixed } of mixedSpans) for (let i = 0; i < mixed.length; i++) written[start + i] = toPcm16(mixed[i]!);
  return out;
}
