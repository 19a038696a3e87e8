import { access, open } from 'node:fs/promises';
import os from 'node:os';
import { whisperNode, type WhisperContext, type WhisperVadContext } from './whisper-node.ts';
import { ShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { resample } from '../../media/audio/resample.ts';
import type { EngineInfo } from '../engine-info.ts';

export const WHISPER_ENGINE_INFO: EngineInfo = {
  id: 'whisper.cpp',
  version: '@fugood/whisper.node 1.1.3',
  tasks: ['transcription'],
  local: true,
  license: 'MIT',
  description: 'Speech recognition with whisper.cpp (ggml models from the model manager): 99 languages, timestamps, language detection.',
};

const RATE = 16_000;

/** whisper.cpp wants 16 kHz mono signed 16-bit PCM. */
function pcm16(audio: PcmAudio): ArrayBuffer {
  if (audio.samples.length === 0) throw new ShenbiError('MEDIA_INVALID', 'no audio to transcribe (zero length)');
  const samples = audio.sampleRate === RATE ? audio.samples : resample(audio, RATE).samples;
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767)));
  return out.buffer;
}

/** A ggml file starts with the magic "lmgg" (little-endian 'ggml') or "GGUF"; anything else would crash the loader. */
async function checkModelFile(path: string, name: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new ShenbiError('MODEL_NOT_INSTALLED', `${name} model not found: ${path}`, { hint: 'Pull one with `shenbi models pull NAME` (see `shenbi models catalog`).' });
  }
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    const magic = head.toString('latin1');
    if (magic !== 'lmgg' && magic !== 'GGUF') throw new ShenbiError('ENGINE_FAILED', `${path} is not a whisper.cpp ggml model (magic ${JSON.stringify(magic)})`);
  } finally {
    await handle.close();
  }
}

const contexts = new Map<string, Promise<WhisperContext>>();
const vadContexts = new Map<string, Promise<WhisperVadContext>>();

function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let found = map.get(key);
  if (!found) {
    found = make();
    map.set(key, found);
    found.catch(() => map.delete(key));
  }
  return found;
}

export interface TranscribeOptions {
  modelPath: string;
  /** 'auto' (default) detects the language. */
  language?: string;
  translate?: boolean;
  /** Word-level timings (whisper's token timestamps, one segment per word). */
  wordTimestamps?: boolean;
  threads?: number;
  /** Retry a failed decode at higher temperatures (whisper's default); off: one greedy pass. */
  temperatureFallback?: boolean;
  /** Only this part of the audio, seconds. */
  offset?: number;
  duration?: number;
  signal?: AbortSignal;
}

export interface Transcript {
  text: string;
  language: string | undefined;
  segments: TimedText[];
  words: TimedText[];
}

/**
 * Speech recognition with whisper.cpp. One context per model file, loaded on first use and
 * reused. With word timestamps on, whisper is asked for one word per segment (max_len 1 with
 * token timestamps), which is how whisper.cpp itself produces word-level output.
 */
export async function transcribe(audio: PcmAudio, options: TranscribeOptions): Promise<Transcript> {
  const data = pcm16(audio);
  await checkModelFile(options.modelPath, 'whisper');
  const contextPromise = cached(contexts, options.modelPath, async () => {
    try {
      return await whisperNode().initWhisper({ filePath: options.modelPath, useGpu: false });
    } catch (error) {
      throw new ShenbiError('ENGINE_FAILED', `whisper.cpp could not load ${options.modelPath}: ${(error as Error).message}`, { cause: error });
    }
  });
  const context = await contextPromise;
  const threads = Math.max(1, Math.min(options.threads ?? os.availableParallelism(), os.availableParallelism()));
  options.signal?.throwIfAborted();
  const words = options.wordTimestamps ?? true;
  const job = context.transcribeData(data, {
    language: options.language ?? 'auto',
    translate: options.translate ?? false,
    maxThreads: threads,
    ...(options.temperatureFallback === false ? { temperature: 0, temperatureInc: 0 } : {}),
    ...(options.offset ? { offset: Math.round(options.offset * 1000) } : {}),
    ...(options.duration ? { duration: Math.round(options.duration * 1000) } : {}),
    ...(words ? { tokenTimestamps: true, maxLen: 1 } : {}),
  });
  // whisper.node's stop() ends the native work, but its promise may never settle: answer the
  // caller at once, and retire this context (released once the native job has finished).
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      void job.stop().catch(() => undefined);
      if (contexts.get(options.modelPath) === contextPromise) contexts.delete(options.modelPath);
      job.promise.then(() => context.release(), () => context.release()).catch(() => undefined);
      reject(options.signal!.reason);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  let result;
  try {
    result = await Promise.race([job.promise, aborted]);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new ShenbiError('ENGINE_FAILED', `whisper.cpp failed: ${(error as Error).message}`, { cause: error });
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
  // whisper.cpp times are in centiseconds.
  const segments = result.segments.map((s) => ({ text: s.text.trim(), start: s.t0 / 100, end: s.t1 / 100 })).filter((s) => s.text !== '');
  return { text: result.result.trim(), language: result.language, segments: words ? [] : segments, words: words ? segments : [] };
}

/** Speech segments with whisper.cpp's own Silero VAD (a ggml model). */
export async function detectSpeechWhisper(audio: PcmAudio, options: { modelPath: string; threshold?: number }): Promise<{ start: number; end: number }[]> {
  const data = pcm16(audio);
  await checkModelFile(options.modelPath, 'whisper VAD');
  const vad = await cached(vadContexts, options.modelPath, async () => {
    try {
      return await whisperNode().initWhisperVad({ filePath: options.modelPath, useGpu: false, nThreads: 1 });
    } catch (error) {
      throw new ShenbiError('ENGINE_FAILED', `whisper.cpp could not load the VAD model ${options.modelPath}: ${(error as Error).message}`, { cause: error });
    }
  });
  const segments = await vad.detectSpeechData(data, { threshold: options.threshold ?? 0.5 });
  return segments.map((s) => ({ start: s.t0 / 100, end: s.t1 / 100 }));
}

/** Frees every loaded whisper context. */
export async function releaseWhisper(): Promise<void> {
  for (const map of [contexts, vadContexts] as const) {
    const all = [...map.values()];
    map.clear();
    for (const c of all) await c.then((ctx) => ctx.release()).catch(() => undefined);
  }
}
