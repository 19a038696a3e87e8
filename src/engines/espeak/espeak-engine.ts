import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import type { EngineInfo } from '../engine-info.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { synthesizeReplySchema, voicesReplySchema } from './protocol.ts';
import { EspeakRunnerClient, type RunnerClientOptions } from './runner-client.ts';
import { resolveVoice, type EspeakVoice } from './voices.ts';
import { buildTimings } from './word-timings.ts';
import { buildPhonemeTimings } from './phoneme-timings.ts';
import type { TimedPhoneme } from '../talking-head/types.ts';
import { MAX_SPEECH_TEXT_CHARS } from '../speech-text-limit.ts';
import { WARM_UP_ROUNDS, WARM_UP_TEXTS } from './warm-up.ts';

export const ESPEAK_ENGINE_INFO: EngineInfo = {
  id: 'espeak-ng',
  version: '0.3.5',
  tasks: ['speech'],
  local: true,
  license: 'GPL-3.0 (separate process)',
  description: 'Offline formant text-to-speech (eSpeak-NG, Emscripten build) in a separate runner process: Mandarin, English and 100+ languages, with word and phoneme timings.',
};

/** Longest text one call accepts; longer texts should be split (e.g. by sentence) by the caller. */
export const MAX_TEXT_CHARS = MAX_SPEECH_TEXT_CHARS;
/** eSpeak's words-per-minute at speed 1, and the range it can render. */
const NORMAL_RATE = 175;
const MIN_RATE = 80;
const MAX_RATE = 450;

export interface SynthesizeOptions {
  text: string;
  /** 'zh', 'en', or another BCP-47-ish tag eSpeak has a voice for. Default: Mandarin ('cmn') for text with Han characters, else English. */
  language?: string;
  /** A voice id from listVoices() ('sit/cmn'), its short name ('cmn') or display name. Wins over language. */
  voice?: string;
  /** 0.25..4, 1 = normal (175 words a minute). eSpeak renders 80..450 wpm, so speeds below ~0.46 or above ~2.57 are INVALID_INPUT. */
  speed?: number;
  /** Pitch multiplier 0..2, 1 = the voice's normal pitch. */
  pitch?: number;
  /** 1 normal intonation, 0 monotone (for retuning to sung notes), up to 2. */
  intonation?: number;
  signal?: AbortSignal;
}

export interface SynthesisResult {
  audio: PcmAudio;
  /** One entry per eSpeak word event; text taken from the input. Starts strictly increase; all inside the audio. */
  words: TimedText[];
  sentences: TimedText[];
  /** eSpeak's phonemes ('ˈoʊ', 'tɕh'; '' a pause), each ending where the next begins; starts strictly increase; all inside the audio. */
  phonemes: TimedPhoneme[];
  /** The eSpeak voice id used. */
  voice: string;
  language: string;
}

export interface VoiceInfo {
  id: string;
  name: string;
  languages: string[];
}

export interface EspeakEngine {
  synthesize(options: SynthesizeOptions): Promise<SynthesisResult>;
  listVoices(options?: { signal?: AbortSignal }): Promise<VoiceInfo[]>;
  /**
   * Starts the runner now and brings eSpeak up to full speed for these languages (default
   * Mandarin and English): for servers, so their first speech jobs do not pay for a cold
   * runner. The runner still exits after its idle timeout; the next use starts a cold one.
   */
  warmUp(options?: { languages?: readonly string[]; signal?: AbortSignal }): Promise<void>;
  /** The runner's pid while it runs (diagnostics, tests). */
  readonly runnerPid: number | undefined;
  close(): Promise<void>;
}

const optionsSchema = z
  .object({
    text: z.string(),
    language: z.string().min(1).max(35).optional(),
    voice: z.string().min(1).max(200).optional(),
    speed: z.number().min(0.25).max(4).default(1),
    pitch: z.number().min(0).max(2).default(1),
    /** Intonation: 1 normal, 0 monotone (a steady pitch to retune for singing), up to 2. */
    intonation: z.number().min(0).max(2).default(1),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
  })
  .strict();

function invalid(message: string, details?: Record<string, unknown>): ShenbiError {
  return new ShenbiError('INVALID_INPUT', message, details === undefined ? {} : { details });
}

export function createEspeakEngine(options: RunnerClientOptions = {}): EspeakEngine {
  const client = new EspeakRunnerClient(options);
  let voices: Promise<EspeakVoice[]> | undefined;

  const loadVoices = (signal?: AbortSignal): Promise<EspeakVoice[]> => {
    voices ??= client.request({ op: 'voices' }, signal).then(
      (reply) => voicesReplySchema.parse(reply).voices,
      (error: unknown) => {
        voices = undefined; // a cancelled or failed first load must not stick
        throw error;
      },
    );
    return voices;
  };

  return {
    get runnerPid() {
      return client.pid;
    },
    async listVoices(listOptions = {}) {
      const list = await loadVoices(listOptions.signal);
      return list.map((voice) => ({ id: voice.id, name: voice.name, languages: [...voice.languages] }));
    },
    async warmUp(warmOptions = {}) {
      const voices = await loadVoices(warmOptions.signal);
      const runs: { voice: string; text: string }[] = [];
      for (const language of warmOptions.languages ?? Object.keys(WARM_UP_TEXTS)) {
        const text = WARM_UP_TEXTS[language] ?? WARM_UP_TEXTS.en!;
        const { voice } = resolveVoice(voices, { text, language });
        for (let i = 0; i < WARM_UP_ROUNDS; i++) runs.push({ voice: voice.id, text });
      }
      await client.request({ op: 'warm-up', runs }, warmOptions.signal);
    },
    async synthesize(input) {
      const parsed = optionsSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`);
        throw invalid(`Bad speech options: ${issues.join('; ')}`, { issues });
      }
      const { text, language, voice: voiceQuery, speed, pitch, intonation, signal } = parsed.data;
      const rate = Math.round(NORMAL_RATE * speed);
      // Say so rather than quietly render another speed: eSpeak cannot go beyond its rate range.
      if (rate < MIN_RATE || rate > MAX_RATE) {
        throw invalid(`speed ${speed} is outside what eSpeak-NG can render (${(MIN_RATE / NORMAL_RATE).toFixed(2)}–${(MAX_RATE / NORMAL_RATE).toFixed(2)})`, { speed });
      }
      if (text.trim() === '') throw invalid('The text to speak is empty.');
      if (text.length > MAX_TEXT_CHARS) {
        throw invalid(`The text is ${text.length} characters; one synthesis takes at most ${MAX_TEXT_CHARS}. Split it (for example by paragraph) and join the audio.`, { limit: MAX_TEXT_CHARS, length: text.length });
      }
      const resolved = resolveVoice(await loadVoices(signal), {
        text,
        ...(language === undefined ? {} : { language }),
        ...(voiceQuery === undefined ? {} : { voice: voiceQuery }),
      });
      const reply = await client.request(
        {
          op: 'synthesize',
          text,
          voice: resolved.voice.id,
          rate,
          pitch: Math.min(100, Math.max(0, Math.round(50 * pitch))),
          range: Math.min(100, Math.max(0, Math.round(50 * intonation))),
        },
        signal,
      );
      const parsedReply = synthesizeReplySchema.safeParse(reply);
      if (!parsedReply.success) throw new ShenbiError('ENGINE_FAILED', 'The eSpeak-NG runner sent a malformed synthesis reply.');
      const { sampleRate, samples: pcm16, events } = parsedReply.data;
      if (pcm16.length === 0) throw new ShenbiError('ENGINE_FAILED', 'eSpeak-NG produced no audio for this text.');
      const samples = new Float32Array(pcm16.length);
      for (let i = 0; i < pcm16.length; i++) samples[i] = pcm16[i]! / 32768;
      const audio: PcmAudio = { sampleRate, samples };
      const duration = samples.length / sampleRate;
      const timings = buildTimings(text, events, duration);
      const phonemes = buildPhonemeTimings(events, duration);
      return { audio, words: timings.words, sentences: timings.sentences, phonemes, voice: resolved.voice.id, language: resolved.language };
    },
    close: () => client.close(),
  };
}
