import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { ShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import { splitSentences } from '../../media/text/sentences.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import type { EngineInfo } from '../engine-info.ts';
import { espeakToPiperPhonemes, phonemesToIds } from './phoneme-ids.ts';
import { createEspeakPhonemizer, type Phonemize } from './phonemizer.ts';
import { readPiperVoiceConfig, type PiperVoiceConfig } from './voice-config.ts';
import { findPiperVoiceFiles } from './voice-dir.ts';
import { approximateWordTimings } from './word-timings.ts';
import { MAX_SPEECH_TEXT_CHARS } from '../speech-text-limit.ts';

export const PIPER_ENGINE_INFO: EngineInfo = {
  id: 'piper',
  version: '1',
  tasks: ['speech'],
  local: true,
  license: 'MIT (runtime); each voice has its own licence',
  description: 'Neural (VITS) text-to-speech with Piper voices on onnxruntime-node; phonemes from eSpeak-NG in its separate process.',
};

/** Silence between sentences, as Piper's default `sentence_silence` (0.2 s). */
const SENTENCE_GAP_SECONDS = 0.2;
export const MAX_PIPER_TEXT_CHARS = MAX_SPEECH_TEXT_CHARS;

export interface PiperSynthesizeOptions {
  /** The voice folder (one `<x>.onnx` and `<x>.onnx.json`). */
  voiceDir: string;
  text: string;
  /** 0.25..4; divides the voice's length_scale (2 = twice as fast). */
  speed?: number;
  /** Multi-speaker voices: speaker id, default 0. */
  speaker?: number;
  signal?: AbortSignal;
}

export interface PiperSynthesisResult {
  audio: PcmAudio;
  /** Approximate: each sentence's span shared among its words by length (Piper models output no durations). */
  words: TimedText[];
  /** Exact: each sentence is synthesized on its own. */
  sentences: TimedText[];
  /** The eSpeak voice the phonemes came from. */
  espeakVoice: string;
  /** Phonemes the voice had no id for (dropped). */
  missingPhonemes: string[];
}

export interface PiperEngine {
  synthesize(options: PiperSynthesizeOptions): Promise<PiperSynthesisResult>;
  close(): Promise<void>;
}

interface LoadedVoice {
  session: ort.InferenceSession;
  config: PiperVoiceConfig;
}

async function loadVoice(voiceDir: string): Promise<LoadedVoice> {
  const files = await findPiperVoiceFiles(voiceDir);
  const config = await readPiperVoiceConfig(files.config);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(files.model, { intraOpNumThreads: Math.min(4, availableParallelism()), graphOptimizationLevel: 'all' });
  } catch (error) {
    throw new ShenbiError('MODEL_INVALID', `${files.model} is not a usable ONNX voice: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
      details: { path: files.model },
      hint: 'Download the voice again; the file may be truncated or corrupt.',
    });
  }
  for (const name of ['input', 'input_lengths', 'scales']) {
    if (!session.inputNames.includes(name)) {
      await session.release();
      throw new ShenbiError('MODEL_INVALID', `${files.model} is not a Piper voice: it has no '${name}' input (inputs: ${session.inputNames.join(', ')})`, { details: { path: files.model } });
    }
  }
  return { session, config };
}

export function createPiperEngine(options: { phonemize?: Phonemize } = {}): PiperEngine {
  const own = options.phonemize === undefined ? createEspeakPhonemizer() : undefined;
  const phonemize = options.phonemize ?? own!.phonemize;
  const voices = new Map<string, Promise<LoadedVoice>>();

  const voice = (dir: string): Promise<LoadedVoice> => {
    let found = voices.get(dir);
    if (found === undefined) {
      found = loadVoice(dir);
      voices.set(dir, found);
      // A failed load is not kept: installing or fixing the voice and retrying must work.
      found.catch(() => voices.delete(dir));
    }
    return found;
  };

  return {
    async synthesize(input) {
      const { voiceDir, text, speed = 1, speaker = 0, signal } = input;
      if (!(speed >= 0.25 && speed <= 4)) throw new ShenbiError('INVALID_INPUT', `speed ${speed} is outside 0.25–4`, { details: { speed } });
      if (text.trim() === '') throw new ShenbiError('INVALID_INPUT', 'The text to speak is empty.');
      if (text.length > MAX_PIPER_TEXT_CHARS) {
        throw new ShenbiError('INVALID_INPUT', `The text is ${text.length} characters; one synthesis takes at most ${MAX_PIPER_TEXT_CHARS}.`, { details: { limit: MAX_PIPER_TEXT_CHARS, length: text.length } });
      }
      const { session, config } = await voice(voiceDir);
      if (!Number.isInteger(speaker) || speaker < 0 || speaker >= config.num_speakers) {
        throw new ShenbiError('INVALID_INPUT', `speaker ${speaker} is not one of this voice's ${config.num_speakers}`, { details: { speaker, speakers: config.num_speakers } });
      }
      const rate = config.audio.sample_rate;
      const gap = Math.round(SENTENCE_GAP_SECONDS * rate);
      const clips: Float32Array[] = [];
      const sentences: TimedText[] = [];
      const words: TimedText[] = [];
      const missing = new Set<string>();
      let at = 0;
      for (const sentence of splitSentences(text)) {
        signal?.throwIfAborted();
        const ipa = await phonemize(sentence, config.espeak.voice, signal);
        const mapped = phonemesToIds(espeakToPiperPhonemes(ipa, sentence), config.phoneme_id_map);
        for (const phoneme of mapped.missing) missing.add(phoneme);
        const samples = await runVoice(session, config, mapped.ids, { speed, speaker });
        if (samples.length === 0) continue;
        if (clips.length > 0) {
          clips.push(new Float32Array(gap));
          at += gap;
        }
        const start = at / rate;
        at += samples.length;
        const end = at / rate;
        clips.push(samples);
        sentences.push({ text: sentence, start, end });
        words.push(...approximateWordTimings(sentence, start, end));
      }
      if (at === 0) throw new ShenbiError('ENGINE_FAILED', 'The Piper voice produced no audio for this text.');
      const joined = new Float32Array(at);
      let offset = 0;
      for (const clip of clips) {
        joined.set(clip, offset);
        offset += clip.length;
      }
      return { audio: { sampleRate: rate, samples: joined }, words, sentences, espeakVoice: config.espeak.voice, missingPhonemes: [...missing] };
    },
    async close() {
      const loaded = [...voices.values()];
      voices.clear();
      for (const pending of loaded) {
        try {
          await (await pending).session.release();
        } catch {
          // A voice that failed to load has nothing to release.
        }
      }
      await own?.close();
    },
  };
}

/**
 * One sentence through Piper's graph: `input` int64 [1,N], `input_lengths` int64 [1], `scales`
 * float32 [3] = (noise_scale, length_scale, noise_w), `sid` int64 [1] when the voice has it;
 * `output` float32 [1,1,1,T] (or any shape holding T samples) at the voice's sample rate.
 */
async function runVoice(session: ort.InferenceSession, config: PiperVoiceConfig, ids: readonly number[], options: { speed: number; speaker: number }): Promise<Float32Array> {
  const { noise_scale: noiseScale, length_scale: lengthScale, noise_w: noiseW } = config.inference;
  const feeds: Record<string, ort.Tensor> = {
    input: new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [1, ids.length]),
    input_lengths: new ort.Tensor('int64', BigInt64Array.of(BigInt(ids.length)), [1]),
    scales: new ort.Tensor('float32', Float32Array.of(noiseScale, lengthScale / options.speed, noiseW), [3]),
  };
  if (session.inputNames.includes('sid')) feeds.sid = new ort.Tensor('int64', BigInt64Array.of(BigInt(options.speaker)), [1]);
  let result: ort.InferenceSession.OnnxValueMapType;
  try {
    result = await session.run(feeds);
  } catch (error) {
    throw new ShenbiError('ENGINE_FAILED', `The Piper voice failed to run: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const output = result[session.outputNames[0]!] as ort.Tensor | undefined;
  if (output === undefined || output.type !== 'float32') throw new ShenbiError('MODEL_INVALID', 'The Piper voice returned no float32 audio output.');
  // Copy: the tensor's buffer belongs to onnxruntime.
  return Float32Array.from(output.data as Float32Array);
}
