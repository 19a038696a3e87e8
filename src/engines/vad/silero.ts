import { access } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { ShenbiError } from '../../core/errors.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { resample } from '../../media/audio/resample.ts';
import type { EngineInfo } from '../engine-info.ts';

export const SILERO_VAD_ENGINE_INFO: EngineInfo = {
  id: 'silero-vad',
  version: 'v6 (onnxruntime-node 1.30.0)',
  tasks: ['transcription'],
  local: true,
  license: 'MIT',
  description: 'Voice-activity detection: where speech is, before recognition, subtitles and alignment.',
};

const RATE = 16_000;
const WINDOW = 512;
const CONTEXT = 64;

export interface VadOptions {
  modelPath: string;
  threshold?: number;
  negThreshold?: number;
  minSpeechMs?: number;
  minSilenceMs?: number;
  speechPadMs?: number;
  signal?: AbortSignal;
}

export interface SpeechSegment {
  start: number;
  end: number;
}

// One session per model file: loading is the expensive part, inference is microseconds a window.
const sessions = new Map<string, Promise<ort.InferenceSession>>();

async function session(modelPath: string): Promise<ort.InferenceSession> {
  let found = sessions.get(modelPath);
  if (!found) {
    found = (async () => {
      try {
        await access(modelPath);
      } catch {
        throw new ShenbiError('MODEL_NOT_INSTALLED', `VAD model not found: ${modelPath}`, { hint: 'shenbi models pull silero-vad' });
      }
      try {
        // Two cores: one thread each way keeps the other core for the rest of the pipeline.
        return await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
      } catch (error) {
        throw new ShenbiError('ENGINE_FAILED', `${modelPath} is not a usable ONNX VAD model: ${(error as Error).message}`, { cause: error });
      }
    })();
    sessions.set(modelPath, found);
    found.catch(() => sessions.delete(modelPath));
  }
  return found;
}

/** Speech probability per 32 ms window (16 kHz, 512 samples with Silero's 64-sample context). */
export async function speechProbabilities(audio: PcmAudio, options: Pick<VadOptions, 'modelPath' | 'signal'>): Promise<Float32Array> {
  if (audio.samples.length === 0) throw new ShenbiError('MEDIA_INVALID', 'no audio to analyse (zero length)');
  const s = await session(options.modelPath);
  const samples = audio.sampleRate === RATE ? audio.samples : resample(audio, RATE).samples;
  const windows = Math.ceil(samples.length / WINDOW);
  const out = new Float32Array(windows);
  let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(RATE)]), []);
  const input = new Float32Array(CONTEXT + WINDOW);
  for (let w = 0; w < windows; w++) {
    if (w % 64 === 0) options.signal?.throwIfAborted();
    // Context: the last 64 samples of the previous window.
    input.copyWithin(0, WINDOW, WINDOW + CONTEXT);
    if (w === 0) input.fill(0, 0, CONTEXT);
    input.fill(0, CONTEXT);
    input.set(samples.subarray(w * WINDOW, Math.min(samples.length, (w + 1) * WINDOW)), CONTEXT);
    const result = await s.run({ input: new ort.Tensor('float32', input.slice(), [1, CONTEXT + WINDOW]), state, sr });
    out[w] = (result.output!.data as Float32Array)[0]!;
    state = result.stateN as ort.Tensor;
  }
  return out;
}

/**
 * Speech segments in seconds, by the rules of Silero's get_speech_timestamps: speech starts
 * above `threshold`, ends after `minSilenceMs` below `negThreshold`, segments shorter than
 * `minSpeechMs` are dropped, and each is padded by `speechPadMs` (never into its neighbour).
 */
export async function detectSpeech(audio: PcmAudio, options: VadOptions): Promise<SpeechSegment[]> {
  const threshold = options.threshold ?? 0.5;
  const neg = options.negThreshold ?? Math.max(threshold - 0.15, 0.01);
  const probabilities = await speechProbabilities(audio, options);
  const total = Math.round((audio.samples.length / audio.sampleRate) * RATE);
  const minSpeech = (RATE * (options.minSpeechMs ?? 250)) / 1000;
  const minSilence = (RATE * (options.minSilenceMs ?? 100)) / 1000;
  const pad = (RATE * (options.speechPadMs ?? 30)) / 1000;
  const segments: { start: number; end: number }[] = [];
  let triggered = false;
  let start = 0;
  let tempEnd = 0;
  probabilities.forEach((p, w) => {
    const at = w * WINDOW;
    if (p >= threshold && tempEnd) tempEnd = 0;
    if (p >= threshold && !triggered) {
      triggered = true;
      start = at;
      return;
    }
    if (p < neg && triggered) {
      if (!tempEnd) tempEnd = at;
      if (at - tempEnd < minSilence) return;
      if (tempEnd - start > minSpeech) segments.push({ start, end: tempEnd });
      triggered = false;
      tempEnd = 0;
    }
  });
  if (triggered && total - start > minSpeech) segments.push({ start, end: total });
  // Pad, splitting short gaps between neighbours.
  segments.forEach((seg, i) => {
    if (i === 0) seg.start = Math.max(0, seg.start - pad);
    const next = segments[i + 1];
    if (next) {
      const gap = next.start - seg.end;
      if (gap < 2 * pad) {
        seg.end += gap / 2;
        next.start = Math.max(0, next.start - gap / 2);
      } else {
        seg.end = Math.min(total, seg.end + pad);
        next.start = Math.max(0, next.start - pad);
      }
    } else seg.end = Math.min(total, seg.end + pad);
  });
  return segments.map((seg) => ({ start: seg.start / RATE, end: seg.end / RATE }));
}
