import { createRequire } from 'node:module';

/**
 * The part of @fugood/whisper.node Shenbi uses. The package's "types" entry points at
 * TypeScript sources that do not compile under this project's settings, so it is loaded
 * through require() and typed here.
 */
export interface WhisperSegment {
  text: string;
  /** Centiseconds. */
  t0: number;
  t1: number;
}

export interface WhisperTranscribeOptions {
  language?: string;
  translate?: boolean;
  maxThreads?: number;
  maxLen?: number;
  tokenTimestamps?: boolean;
  offset?: number;
  duration?: number;
  temperature?: number;
  temperatureInc?: number;
}

export interface WhisperContext {
  transcribeData(audio: ArrayBuffer, options?: WhisperTranscribeOptions): { stop: () => Promise<void>; promise: Promise<{ language?: string; result: string; segments: WhisperSegment[]; isAborted: boolean }> };
  release(): Promise<void>;
}

export interface WhisperVadContext {
  detectSpeechData(audio: ArrayBuffer, options?: { threshold?: number; minSpeechDurationMs?: number; minSilenceDurationMs?: number; speechPadMs?: number }): Promise<{ t0: number; t1: number }[]>;
  release(): Promise<void>;
}

interface WhisperNode {
  initWhisper(options: { filePath: string; useGpu?: boolean }): Promise<WhisperContext>;
  initWhisperVad(options: { filePath: string; useGpu?: boolean; nThreads?: number }): Promise<WhisperVadContext>;
}

let loaded: WhisperNode | undefined;

export function whisperNode(): WhisperNode {
  loaded ??= createRequire(import.meta.url)('@fugood/whisper.node') as WhisperNode;
  return loaded;
}
