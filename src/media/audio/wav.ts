import { ShenbiError } from '../../core/errors.ts';
import { downmix, type PcmAudio } from './pcm.ts';

/**
 * RIFF/WAVE reading and writing. Reads PCM 8/16/24/32-bit and IEEE float 32/64, plain or
 * WAVE_FORMAT_EXTENSIBLE, any channel count (downmixed to mono); writes 16-bit PCM, with
 * TPDF-free rounding and clipping so the file is exactly what a player will hear.
 */

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function invalid(message: string): ShenbiError {
  return new ShenbiError('MEDIA_INVALID', `WAV: ${message}`);
}

export interface WavInfo {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly format: 'pcm' | 'float';
  readonly frames: number;
}

export interface DecodedWav extends PcmAudio {
  readonly info: WavInfo;
}

/** Where a WAV's samples are and how they are stored, from its chunks alone (no sample is read). */
export interface WavLayout extends WavInfo {
  /** Byte offset of the first sample in `bytes`. */
  readonly dataStart: number;
}

/** The layout decodeWav reads by; MEDIA_INVALID for what it would refuse. */
export function readWavLayout(bytes: Uint8Array): WavLayout {
  if (bytes.length < 12) throw invalid(bytes.length === 0 ? 'the file is empty' : 'the file is too short to be WAV');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw invalid('not a RIFF/WAVE file');
  let offset = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: { start: number; length: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw invalid('truncated fmt chunk');
      let format = view.getUint16(body, true);
      if (format === FORMAT_EXTENSIBLE && size >= 40) format = view.getUint16(body + 24, true);
      fmt = { format, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      // A streaming writer may leave the size at 0 or 0xFFFFFFFF: take what is there.
      const available = bytes.length - body;
      data = { start: body, length: size === 0 || size > available ? available : size };
      if (fmt) break;
    }
    offset = body + size + (size % 2);
  }
  if (!fmt) throw invalid('no fmt chunk');
  if (!data) throw invalid('no data chunk');
  const { format, channels, sampleRate, bits } = fmt;
  if (channels < 1 || sampleRate < 1) throw invalid(`bad header (channels ${channels}, rate ${sampleRate})`);
  const isFloat = format === FORMAT_FLOAT;
  if (!isFloat && format !== FORMAT_PCM) throw invalid(`unsupported encoding ${format} (PCM or IEEE float only)`);
  if (isFloat ? bits !== 32 && bits !== 64 : ![8, 16, 24, 32].includes(bits)) throw invalid(`unsupported ${bits}-bit ${isFloat ? 'float' : 'PCM'}`);
  const bytesPer = bits / 8;
  const count = Math.floor(data.length / bytesPer);
  const frames = Math.floor(count / channels);
  if (frames === 0) throw invalid('no audio samples (zero-length data)');
  return { format: isFloat ? 'float' : 'pcm', channels, sampleRate, bitsPerSample: bits, dataStart: data.start, frames };
}

const infoOf = ({ sampleRate, channels, bitsPerSample, format, frames }: WavLayout): WavInfo => ({ sampleRate, channels, bitsPerSample, format, frames });

export function decodeWav(bytes: Uint8Array): DecodedWav {
  const layout = readWavLayout(bytes);
  const { channels, sampleRate, frames, bitsPerSample: bits } = layout;
  const isFloat = layout.format === 'float';
  const bytesPer = bits / 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const interleaved = new Float32Array(frames * channels);
  if (!isFloat && bits === 16 && LITTLE_ENDIAN && (bytes.byteOffset + layout.dataStart) % 2 === 0) {
    // The common case (Shenbi's own WAVs, read back to label them): a typed view, not a DataView call per sample.
    const pcm = new Int16Array(bytes.buffer, bytes.byteOffset + layout.dataStart, interleaved.length);
    for (let i = 0; i < interleaved.length; i++) interleaved[i] = pcm[i]! / 32768;
    return { sampleRate, samples: downmix(interleaved, channels), info: infoOf(layout) };
  }
  let at = layout.dataStart;
  for (let i = 0; i < interleaved.length; i++, at += bytesPer) {
    let v: number;
    if (isFloat) v = bits === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    else if (bits === 8) v = (bytes[at]! - 128) / 128;
    else if (bits === 16) v = view.getInt16(at, true) / 32768;
    else if (bits === 24) v = ((bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) << 8 >> 8) / 8388608;
    else v = view.getInt32(at, true) / 2147483648;
    interleaved[i] = v;
  }
  return {
    sampleRate,
    samples: downmix(interleaved, channels),
    info: infoOf(layout),
  };
}

/**
 * 16-bit PCM WAV. channels > 1 puts the mono signal on every channel at 1/√channels (−3 dB
 * for stereo): BS.1770 sums the channels' power, so full level on both would make the file
 * 3 LU louder than the master was normalized to (ffmpeg's own mono upmix does the same).
 */
export function encodeWav(audio: PcmAudio, channels = 1): Buffer {
  const frames = audio.samples.length;
  const out = allocPcm16Wav(audio.sampleRate, channels, frames);
  const perChannel = 1 / Math.sqrt(channels);
  const samples = audio.samples;
  // A typed view writes each sample as one store (writeInt16LE checks and splits it: ~5× slower);
  // Int16Array is little-endian on every platform Node runs on here, else the DataView way.
  if (LITTLE_ENDIAN && (out.byteOffset + 44) % 2 === 0) {
    const pcm = new Int16Array(out.buffer, out.byteOffset + 44, frames * channels);
    if (channels === 1) {
      // The common case, its own loop: the inner channel loop costs more than the work.
      for (let i = 0; i < frames; i++) pcm[i] = toPcm16(samples[i]!);
      return out;
    }
    for (let i = 0, at = 0; i < frames; i++) {
      const value = toPcm16(samples[i]! * perChannel);
      for (let c = 0; c < channels; c++) pcm[at++] = value;
    }
    return out;
  }
  let at = 44;
  for (let i = 0; i < frames; i++) {
    const value = toPcm16(samples[i]! * perChannel);
    for (let c = 0; c < channels; c++, at += 2) out.writeInt16LE(value, at);
  }
  return out;
}

/** A zeroed 16-bit PCM WAV of this many frames with its 44-byte header written (what encodeWav fills). */
export function allocPcm16Wav(sampleRate: number, channels: number, frames: number): Buffer {
  const dataBytes = frames * channels * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(FORMAT_PCM, 20);
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  return out;
}

/** One sample as encodeWav writes it: clipped to ±1, scaled (−32768…32767), rounded half up. */
export function toPcm16(sample: number): number {
  const clipped = Math.max(-1, Math.min(1, sample));
  return roundHalfUp(clipped < 0 ? clipped * 32768 : clipped * 32767);
}

/**
 * Math.round(x), the same integer for every double, several times faster in a per-sample
 * loop: V8's Math.round branches on the fraction, which audio makes unpredictable; here the
 * fraction only feeds a comparison turned into 0 or 1. x − floor(x) is exact for |x| ≥ 1
 * (Sterbenz) and its rounding for −1 < x < 0 never crosses 0.5, so the result is exact.
 */
export function roundHalfUp(x: number): number {
  const floor = Math.floor(x);
  return floor + Number(x - floor >= 0.5);
}
