import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { runFfmpeg } from '../../engines/video/run-ffmpeg.ts';
import { decodeAudio } from '../../media/audio/encode.ts';
import { encodeWavOffThread, resampleOffThread } from '../../media/audio/off-thread.ts';
import { concatPcm, type PcmAudio } from '../../media/audio/pcm.ts';
import { movable, offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import * as wavOverlay from './audio-wav-overlay.ts';
import { plainMonoPcm16 } from './audio-wav-overlay.ts';
import type { SpeakFunction } from './options.ts';
import { probeStreams } from './probe-stream.ts';
import * as rhythmModule from './rhythm.ts';
import { activeRms, aiRhythm, dbToLinear, RHYTHM_FREQUENCY_HZ, RHYTHM_UNIT_SECONDS } from './rhythm.ts';
import type { ExplicitResult } from './text.ts';
import { makeWorkDir, removeWorkDir } from '../../fs/work-dir.ts';

export interface AudioLabelOptions {
  readonly placement: 'start' | 'end' | 'both';
  /**
   * 'insert' (default here) joins the label before/after the content, which moves the content
   * later; 'overlay' mixes the rhythm over the content's first/last second and keeps every
   * timestamp (LRC, subtitles, word timings) valid. A spoken prompt needs 'insert'.
   */
  readonly mode?: 'insert' | 'overlay';
  readonly spokenWording: string;
  readonly spokenLanguage: string;
  readonly speak?: SpeakFunction;
  readonly signal?: AbortSignal;
  /** The caller gives the bytes up: a plain WAV is moved to the worker and labelled in place there (no copy each way). */
  readonly move?: boolean;
}

/** The ffmpeg muxer per audio MIME type (the output stays in the input's container). */
const MUXERS: Readonly<Record<string, string>> = {
  'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/wave': 'wav', 'audio/vnd.wave': 'wav',
  'audio/mpeg': 'mp3', 'audio/mp3': 'mp3',
  'audio/ogg': 'ogg', 'audio/opus': 'ogg', 'audio/vorbis': 'ogg',
  'audio/flac': 'flac', 'audio/x-flac': 'flac',
  'audio/mp4': 'ipod', 'audio/m4a': 'ipod', 'audio/x-m4a': 'ipod', 'audio/aac': 'adts',
  'audio/webm': 'webm',
};
/** Decoder name → encoder name where they differ. */
const ENCODERS: Readonly<Record<string, string>> = { mp3: 'libmp3lame', vorbis: 'libvorbis', opus: 'libopus' };
const LOSSLESS = /^(pcm_|flac$|alac$)/;

/** Silence between the label and the content, and between the rhythm and a spoken prompt. */
const GAP_SECONDS = 0.3;

export function audioMuxer(mimeType: string): string | undefined {
  return MUXERS[mimeType.split(';')[0]!.trim().toLowerCase()];
}

/** The rhythm mixed over the content (input 1) at its start and/or end; the length is the content's. */
function overlayGraph(placement: AudioLabelOptions['placement'], format: string, endOffsetSeconds: number): string {
  const delay = `adelay=${Math.round(endOffsetSeconds * 1000)}:all=1`;
  const mix = (labels: string[]) => `[c]${labels.join('')}amix=inputs=${labels.length + 1}:duration=first:dropout_transition=0:normalize=0[out]`;
  if (placement === 'start') return `[0:a]${format}[l];[1:a]${format}[c];${mix(['[l]'])}`;
  if (placement === 'end') return `[0:a]${format},${delay}[l];[1:a]${format}[c];${mix(['[l]'])}`;
  return `[0:a]${format},asplit[l1][l2];[l2]${delay}[e];[1:a]${format}[c];${mix(['[l1]', '[e]'])}`;
}

// Reading, measuring and mixing every sample of a long file runs on the worker pool.
const overlayTask = offThreadTask(new URL('./audio-wav-overlay.ts', import.meta.url), wavOverlay, 'overlayRhythmOnPlainWav');
const levelTask = offThreadTask(new URL('./rhythm.ts', import.meta.url), rhythmModule, 'labelLevelDb');

/**
 * Article 4(2): the 短长短短 rhythm (and, when `speak` is given, the spoken wording after it)
 * joined to the start and/or end of the audio, at a level clearly audible but 6 dB under the
 * content's. Re-encoded once by ffmpeg with the input's codec, sample rate, channel layout
 * and (lossy) bitrate; the file's tags are kept.
 */
export async function labelAudio(bytes: Uint8Array, mimeType: string, options: AudioLabelOptions): Promise<ExplicitResult> {
  const muxer = audioMuxer(mimeType);
  if (muxer === undefined) return { bytes, record: { type: 'aigc-explicit', placement: 'sidecar', value: { wording: options.spokenWording, reason: `no audible label for ${mimeType}` } } };
  const run = options.signal === undefined ? {} : { signal: options.signal };
  const overlay = options.mode === 'overlay' && muxer === 'wav';
  // Moved only when the worker is sure to label it (a plain mono 16-bit WAV, read here from its
  // header): other files come back to ffmpeg below, which needs the bytes here.
  const moved = overlay && options.move === true && plainMonoPcm16(bytes) !== undefined ? movable(bytes) : [];
  const overlaid = overlay ? await runOffThread(overlayTask, [bytes, options.placement, moved.length > 0], { ...run, transfer: moved }) : undefined;
  if (overlaid !== undefined) {
    return { bytes: Buffer.from(overlaid.bytes.buffer, overlaid.bytes.byteOffset, overlaid.bytes.byteLength), record: rhythmRecord(options, true, overlaid.levelDb, overlaid.labelSeconds) };
  }
  const dir = await makeWorkDir('explicit-audio');
  try {
    const input = join(dir, 'input');
    await writeFile(input, bytes);
    const streams = await probeStreams(input);
    const stream = streams.audio;
    if (stream === undefined || stream.sampleRate === undefined) throw new ShenbiError('MEDIA_INVALID', 'the file holds no audio stream to label');
    const content = await decodeAudio(bytes, run);
    const contentSeconds = content.samples.length / content.sampleRate;
    const levelDb = await runOffThread(levelTask, [content], { ...run, transfer: movable(content.samples) });
    const rate = stream.sampleRate;
    // A sine's RMS is its peak / √2.
    const rhythm = aiRhythm(rate, dbToLinear(levelDb) * Math.SQRT2);
    const overlay = options.mode === 'overlay';
    let clip = rhythm;
    let spoken: { wording: string; language: string; seconds: number; charsPerMinute: number } | undefined;
    if (options.speak !== undefined && !overlay) {
      const speech = await options.speak(options.spokenWording, options.spokenLanguage);
      const atRate = await resampleOffThread(speech, rate, run);
      const speechRms = activeRms(atRate);
      const gain = speechRms > 0 ? dbToLinear(levelDb) / speechRms : 1;
      const scaled: PcmAudio = { sampleRate: rate, samples: atRate.samples.map((s) => Math.max(-1, Math.min(1, s * gain))) };
      clip = concatPcm([rhythm, scaled], GAP_SECONDS);
      const chars = [...options.spokenWording.replace(/[\s\p{P}]/gu, '')].length;
      const seconds = atRate.samples.length / rate;
      spoken = { wording: options.spokenWording, language: options.spokenLanguage, seconds: Number(seconds.toFixed(3)), charsPerMinute: Math.round((chars / seconds) * 60) };
    }
    const labelPath = join(dir, 'label.wav');
    await writeFile(labelPath, await encodeWavOffThread(clip, 1, run));
    const layout = stream.channelLayout ?? `${stream.channels ?? 1}c`;
    const format = `aresample=${rate},aformat=sample_fmts=fltp:channel_layouts=${layout}`;
    const pad = `apad=pad_dur=${GAP_SECONDS}`;
    const graph = overlay
      ? overlayGraph(options.placement, format, Math.max(0, contentSeconds - clip.samples.length / rate))
      : options.placement === 'start'
        ? `[0:a]${format},${pad}[l];[1:a]${format}[c];[l][c]concat=n=2:v=0:a=1[out]`
        : options.placement === 'end'
          ? `[0:a]${format},adelay=${GAP_SECONDS * 1000}:all=1[l];[1:a]${format}[c];[c][l]concat=n=2:v=0:a=1[out]`
          : `[0:a]${format},asplit[l1][l2];[l1]${pad}[s];[l2]adelay=${GAP_SECONDS * 1000}:all=1[e];[1:a]${format}[c];[s][c][e]concat=n=3:v=0:a=1[out]`;
    const encoder = ENCODERS[stream.codec] ?? stream.codec;
    const bitrate = !LOSSLESS.test(stream.codec) && stream.bitRate ? ['-b:a', String(stream.bitRate)] : [];
    const output = join(dir, `labeled.${muxer === 'ipod' ? 'm4a' : muxer === 'adts' ? 'aac' : muxer}`);
    await runFfmpeg(
      ['-i', labelPath, '-i', input, '-filter_complex', graph, '-map', '[out]', '-map_metadata', '1', '-c:a', encoder, ...bitrate, '-ar', String(rate), '-fflags', '+bitexact', '-f', muxer],
      { output, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return { bytes: await readFile(output), record: rhythmRecord(options, overlay, levelDb, clip.samples.length / rate, spoken) };
  } finally {
    await removeWorkDir(dir);
  }
}

function rhythmRecord(options: AudioLabelOptions, overlay: boolean, levelDb: number, labelSeconds: number, spoken?: Record<string, unknown>): ExplicitResult['record'] {
  return {
    type: 'aigc-explicit',
    placement: `audio-${options.placement}${overlay ? '-overlay' : ''}`,
    value: {
      wording: spoken?.wording ?? 'AI (Morse ·− ··)',
      rhythm: { pattern: '短长短短', unitMs: RHYTHM_UNIT_SECONDS * 1000, frequencyHz: RHYTHM_FREQUENCY_HZ },
      levelDbfs: Number(levelDb.toFixed(1)),
      labelSeconds: Number(labelSeconds.toFixed(3)),
      ...(spoken ? { spoken } : {}),
    },
  };
}
