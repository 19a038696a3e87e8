import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { movable } from '../../workers/off-thread.ts';
import { decodeWavOffThread, encodeWavOffThread, resampleOffThread } from './off-thread.ts';
import type { PcmAudio } from './pcm.ts';
import { withWorkDir } from '../../fs/work-dir.ts';

/**
 * Audio files in and out. WAV is written and read here in TypeScript; MP3, Ogg and FLAC go
 * through Debian's `ffmpeg` binary (a separate program, so its codecs' licences stay with it).
 * ffmpeg writes to a temporary file rather than a pipe, because MP3 (Xing/LAME header) and
 * FLAC (STREAMINFO) headers are only complete when ffmpeg can seek back and fill them in.
 * The sample loops (WAV, resampling) run on the worker pool, off the event loop.
 */

/** `ogg` is Ogg Vorbis (Opus when the ffmpeg has no libvorbis); `opus` is always Opus in Ogg (RFC 7845). */
export type AudioFormat = 'wav' | 'mp3' | 'ogg' | 'opus' | 'flac';

export const AUDIO_MIME_TYPES: Readonly<Record<AudioFormat, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
};

export interface EncodeOptions {
  /** Output sample rate; default: the audio's own. */
  sampleRate?: number;
  /** 1 (default) or 2 (the mono signal on both channels at −3 dB, so the loudness is the same). */
  channels?: 1 | 2;
  /** Lossy bitrate in kbit/s (mp3 default 128; ogg default: Vorbis quality 5). */
  bitrate?: number;
  signal?: AbortSignal;
  /** The ffmpeg binary; default $SHENBI_FFMPEG or 'ffmpeg' on PATH. */
  ffmpegPath?: string;
}

export interface DecodeOptions {
  /** Resample to this rate; default: the file's own. */
  sampleRate?: number;
  /**
   * Mix the channels by their plain average (as the WAV reader does), so equal channels give
   * exactly one channel's samples, for level measurements. Default: ffmpeg's downmix (−3 dB each).
   */
  averageChannels?: boolean;
  signal?: AbortSignal;
  ffmpegPath?: string;
}

const OPUS_RATES = new Set([8000, 12_000, 16_000, 24_000, 48_000]);

const FFMPEG_HINT = 'Install ffmpeg: apt-get install ffmpeg (or set SHENBI_FFMPEG to its path).';

function ffmpegBinary(path: string | undefined): string {
  return path ?? process.env.SHENBI_FFMPEG ?? 'ffmpeg';
}

function invalidOption(message: string): ShenbiError {
  return new ShenbiError('INVALID_INPUT', message);
}

export async function encodeAudio(audio: PcmAudio, format: AudioFormat, options: EncodeOptions = {}): Promise<Buffer> {
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 2) throw invalidOption(`channels must be 1 or 2, not ${String(channels)}.`);
  // libopus takes 8, 12, 16, 24 or 48 kHz only: other rates are resampled to 48 kHz.
  const sampleRate = options.sampleRate ?? (format === 'opus' && !OPUS_RATES.has(audio.sampleRate) ? 48_000 : audio.sampleRate);
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192_000) throw invalidOption(`sampleRate must be an integer from 8000 to 192000, not ${sampleRate}.`);
  if (options.bitrate !== undefined && (!Number.isFinite(options.bitrate) || options.bitrate < 8 || options.bitrate > 320)) throw invalidOption(`bitrate must be 8..320 kbit/s, not ${options.bitrate}.`);
  if (audio.samples.length === 0) throw new ShenbiError('MEDIA_INVALID', 'There is no audio to encode (zero samples).');
  if (format === 'wav') {
    options.signal?.throwIfAborted();
    const run = options.signal === undefined ? {} : { signal: options.signal };
    const atRate = await resampleOffThread(audio, sampleRate, run);
    // A resampled copy is ours to move; the caller's audio is copied.
    return encodeWavOffThread(atRate, channels, atRate === audio ? run : { ...run, transfer: movable(atRate.samples) });
  }
  const codecArgs = await codecArguments(format, options);
  // The intermediate WAV keeps the source rate (ffmpeg resamples, -ar, on the way out) and has
  // the output's channels, at the same −3 dB per channel as a WAV file: equal loudness in every format.
  const wav = await encodeWavOffThread(audio, channels, options.signal === undefined ? {} : { signal: options.signal });
  return withTempDir(async (dir) => {
    const output = join(dir, `out.${format}`);
    const muxer = format === 'opus' ? 'ogg' : format;
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'wav', '-i', 'pipe:0', '-vn', '-ac', String(channels), '-ar', String(sampleRate), ...codecArgs, '-f', muxer, '-y', output];
    await runFfmpeg(ffmpegBinary(options.ffmpegPath), args, wav, options.signal, 'ENGINE_FAILED');
    return readFile(output);
  });
}

/** Reads any audio ffmpeg understands (WAV without ffmpeg) into mono PCM. */
export async function decodeAudio(bytes: Uint8Array, options: DecodeOptions = {}): Promise<PcmAudio> {
  if (bytes.length === 0) throw new ShenbiError('MEDIA_INVALID', 'The audio file is empty (zero bytes).');
  const sampleRate = options.sampleRate;
  if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384_000)) throw invalidOption(`sampleRate must be an integer from 1000 to 384000, not ${sampleRate}.`);
  if (isRiffWave(bytes)) {
    options.signal?.throwIfAborted();
    const run = options.signal === undefined ? {} : { signal: options.signal };
    let audio: PcmAudio | undefined;
    try {
      const wav = await decodeWavOffThread(bytes, run);
      audio = { sampleRate: wav.sampleRate, samples: wav.samples };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // Encodings decodeWav does not read (µ-law, ADPCM...) may still be fine for ffmpeg.
      return decodeWithFfmpeg(bytes, options).catch(() => {
        throw error;
      });
    }
    return sampleRate === undefined ? audio : resampleOffThread(audio, sampleRate, { ...run, transfer: movable(audio.samples) });
  }
  return decodeWithFfmpeg(bytes, options);
}

function decodeWithFfmpeg(bytes: Uint8Array, options: DecodeOptions): Promise<PcmAudio> {
  const sampleRate = options.sampleRate;
  return withTempDir(async (dir) => {
    // A file, not stdin: containers such as MP4 keep their index at the end and need seeking.
    const input = join(dir, 'input');
    await writeFile(input, bytes);
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', input, '-vn', ...(options.averageChannels ? [] : ['-ac', '1']), ...(sampleRate === undefined ? [] : ['-ar', String(sampleRate)]), '-c:a', 'pcm_f32le', '-f', 'wav', 'pipe:1'];
    const out = await runFfmpeg(ffmpegBinary(options.ffmpegPath), args, undefined, options.signal, 'MEDIA_INVALID');
    if (out.length === 0) throw new ShenbiError('MEDIA_INVALID', 'ffmpeg found no audio in this file.');
    const wav = await decodeWavOffThread(out, { ...(options.signal === undefined ? {} : { signal: options.signal }), transfer: movable(out) });
    return { sampleRate: wav.sampleRate, samples: wav.samples };
  });
}

function isRiffWave(bytes: Uint8Array): boolean {
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  return bytes.length >= 12 && tag(0) === 'RIFF' && tag(8) === 'WAVE';
}

let encoderList: Promise<string> | undefined;

/** `ffmpeg -encoders`, once per binary path per process. */
function availableEncoders(binary: string, signal: AbortSignal | undefined): Promise<string> {
  if (binary !== ffmpegBinary(undefined)) return runFfmpeg(binary, ['-hide_banner', '-encoders'], undefined, signal, 'ENGINE_FAILED').then((b) => b.toString('utf8'));
  encoderList ??= runFfmpeg(binary, ['-hide_banner', '-encoders'], undefined, undefined, 'ENGINE_FAILED')
    .then((b) => b.toString('utf8'))
    .catch((error: unknown) => {
      encoderList = undefined;
      throw error;
    });
  return encoderList;
}

async function codecArguments(format: Exclude<AudioFormat, 'wav'>, options: EncodeOptions): Promise<string[]> {
  if (format === 'flac') return ['-c:a', 'flac'];
  const encoders = await availableEncoders(ffmpegBinary(options.ffmpegPath), options.signal);
  const has = (name: string) => new RegExp(`^\\s*A\\S*\\s+${name}\\s`, 'm').test(encoders);
  if (format === 'mp3') {
    const encoder = has('libmp3lame') ? 'libmp3lame' : has('libshine') ? 'libshine' : undefined;
    if (encoder === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This ffmpeg has no MP3 encoder (libmp3lame).', { hint: FFMPEG_HINT });
    return ['-c:a', encoder, '-b:a', `${options.bitrate ?? 128}k`];
  }
  if (format === 'opus') {
    if (!has('libopus')) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This ffmpeg has no Opus encoder (libopus).', { hint: FFMPEG_HINT });
    return ['-c:a', 'libopus', '-b:a', `${options.bitrate ?? 64}k`];
  }
  if (has('libvorbis')) return ['-c:a', 'libvorbis', ...(options.bitrate === undefined ? ['-q:a', '5'] : ['-b:a', `${options.bitrate}k`])];
  if (has('libopus')) return ['-c:a', 'libopus', '-b:a', `${options.bitrate ?? 64}k`];
  throw new ShenbiError('ENGINE_UNAVAILABLE', 'This ffmpeg has no Ogg audio encoder (libvorbis or libopus).', { hint: FFMPEG_HINT });
}

function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  return withWorkDir('audio', work);
}

/**
 * Runs ffmpeg with `stdin` fed in, returns its stdout. A missing binary is ENGINE_UNAVAILABLE;
 * a non-zero exit is `failureCode` with the tail of ffmpeg's stderr; abort kills it at once.
 */
function runFfmpeg(binary: string, args: string[], stdin: Uint8Array | undefined, signal: AbortSignal | undefined, failureCode: 'ENGINE_FAILED' | 'MEDIA_INVALID'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ShenbiError('JOB_CANCELLED', 'Audio encoding was cancelled.'));
      return;
    }
    const child = spawn(binary, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    let done = false;
    const finish = (error: unknown, value?: Buffer): void => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) reject(error);
      else resolve(value ?? Buffer.alloc(0));
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish(new ShenbiError('JOB_CANCELLED', 'Audio encoding was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') finish(new ShenbiError('ENGINE_UNAVAILABLE', `ffmpeg was not found (${binary}).`, { hint: FFMPEG_HINT, cause: error }));
      else finish(new ShenbiError('ENGINE_FAILED', `ffmpeg could not start: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, killSignal) => {
      if (code === 0) {
        finish(undefined, Buffer.concat(stdout));
        return;
      }
      const tail = stderr.trim().split('\n').slice(-6).join('\n');
      const what = failureCode === 'MEDIA_INVALID' ? 'ffmpeg could not read this audio' : 'ffmpeg failed';
      finish(new ShenbiError(failureCode, `${what} (${code === null ? `signal ${killSignal ?? '?'}` : `exit code ${code}`}): ${tail || 'no error output'}`, { details: { stderr: tail } }));
    });
    if (stdin !== undefined && child.stdin !== null) {
      // ffmpeg may exit before reading everything (bad arguments); its exit status tells why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
    }
  });
}
