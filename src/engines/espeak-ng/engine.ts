import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import type { EngineInfo } from '../engine-info.ts';
import { EspeakRunnerClient } from './runner-client.ts';
import { timingsFromEvents } from './timings.ts';
import { chooseVoice, detectLanguage, shortVoiceName } from './voices.ts';

export const ESPEAK_ENGINE_INFO: EngineInfo = {
  id: 'espeak-ng',
  version: '1.52 (emscripten 0.3.5)',
  tasks: ['speech'],
  local: true,
  license: 'GPL-3.0 (runs as a separate process)',
  description: 'eSpeak-NG formant speech synthesis: 100+ languages including Mandarin, Cantonese and English, with word timings; robotic but instant and offline.',
};

/** eSpeak speaks 80–450 words per minute; 175 is its normal rate (speed 1). */
const NORMAL_WPM = 175;
const MIN_WPM = 80;
const MAX_WPM = 450;
export const MAX_TEXT_CHARS = 20_000;

export const synthesizeOptionsSchema = z
  .object({
    text: z.string(),
    language: z.string().min(2).max(35).optional(),
    voice: z.string().min(1).max(64).optional(),
    speed: z.number().positive().max(4).default(1),
    /** eSpeak base pitch, 0–99 (50 is normal). */
    pitch: z.number().int().min(0).max(99).default(50),
  })
  .strict();

export type SynthesizeOptions = z.input<typeof synthesizeOptionsSchema>;

export interface Synthesis {
  audio: PcmAudio;
  words: TimedText[];
  sentences: TimedText[];
  voice: string;
  language: string;
}

export interface SpeechVoice {
  id: string;
  name: string;
}

/** Text-to-speech with eSpeak-NG, through its runner process. */
export class EspeakEngine {
  readonly info = ESPEAK_ENGINE_INFO;
  readonly #client: EspeakRunnerClient;
  #voices: Promise<SpeechVoice[]> | undefined;

  constructor(options: { idleMs?: number } = {}) {
    this.#client = new EspeakRunnerClient(options.idleMs);
  }

  /** The runner's pid while it runs. */
  get runnerPid(): number | undefined {
    return this.#client.pid;
  }

  listVoices(): Promise<SpeechVoice[]> {
    this.#voices ??= this.#client.voices().then((voices) => voices.map((v) => ({ id: shortVoiceName(v.id), name: v.name })));
    this.#voices.catch(() => (this.#voices = undefined));
    return this.#voices;
  }

  async synthesize(input: SynthesizeOptions, signal?: AbortSignal): Promise<Synthesis> {
    const options = parseOrThrow(synthesizeOptionsSchema, input, 'speech options');
    const text = options.text.normalize('NFC').trim();
    if (text === '') throw new ShenbiError('INVALID_INPUT', 'nothing to say: the text is empty');
    if (text.length > MAX_TEXT_CHARS) {
      throw new ShenbiError('INVALID_INPUT', `the text is ${text.length} characters; eSpeak takes at most ${MAX_TEXT_CHARS} per request`, {
        hint: 'Split long text into paragraphs (the speech pipelines do this for you).',
      });
    }
    const wpm = Math.round(NORMAL_WPM * options.speed);
    if (wpm < MIN_WPM || wpm > MAX_WPM) {
      throw new ShenbiError('INVALID_INPUT', `speed ${options.speed} is outside eSpeak's range (${(MIN_WPM / NORMAL_WPM).toFixed(2)}–${(MAX_WPM / NORMAL_WPM).toFixed(2)})`);
    }
    const language = options.language ?? detectLanguage(text);
    const voice = chooseVoice((await this.listVoices()).map((v) => v.id), language, options.voice);
    const result = await this.#client.synth({ text, voice, rate: wpm, pitch: options.pitch }, signal);
    if (result.samples.length === 0) throw new ShenbiError('ENGINE_FAILED', 'eSpeak produced no audio for this text');
    const samples = new Float32Array(result.samples.length);
    for (let i = 0; i < samples.length; i++) samples[i] = result.samples[i]! / 32768;
    const audio = { sampleRate: result.sampleRate, samples };
    const { words, sentences } = timingsFromEvents(text, result.events, samples.length / result.sampleRate);
    return { audio, words, sentences, voice, language };
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
