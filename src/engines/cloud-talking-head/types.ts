import type { ProviderCallContext } from '../cloud-music/http.ts';
import type { ProviderConfig } from '../providers/config.ts';
import type { ProviderRetryOptions } from '../providers/retry-call.ts';

/** A portrait or audio file as bytes; the type is sniffed from the bytes, `mimeType` is the caller's claim. */
export interface TalkingHeadMedia {
  bytes: Uint8Array;
  mimeType: string;
}

/** Where the providers are and how long to wait: what a step is given from the server's config (`{ providers: config.providers }`). */
export interface TalkingHeadProviders {
  /** Configured providers (keys come from the env vars they name); the presets otherwise. */
  providers?: readonly ProviderConfig[] | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** First poll interval, ms (default 3000; slows to 4×). */
  pollMs?: number | undefined;
  /** Longest the whole job may take (upload, queue, render, download), ms (default 20 minutes). */
  timeoutMs?: number | undefined;
  /** Largest video accepted from the provider, bytes (default 500 MB). */
  maxBytes?: number | undefined;
  /** Largest portrait, audio or still video sent inline, bytes (default 10 MB each). */
  maxInputBytes?: number | undefined;
  retry?: ProviderRetryOptions | undefined;
}

export interface TalkingHeadOptions {
  /** `fal:fal-ai/sadtalker`, `replicate:owner/name[:version]`, `did:talks` (or a configured provider of those kinds). */
  model: string;
  portrait: TalkingHeadMedia;
  audio: TalkingHeadMedia;
  providers?: TalkingHeadProviders | undefined;
  /** The model's own parameters, merged over the mapped fields (D-ID: extra fields of POST /talks, such as `config`). */
  input?: Record<string, unknown> | undefined;
  signal?: AbortSignal | undefined;
  /** Progress 0..1 with what is happening ("queued at position 3"). */
  onProgress?: ((fraction: number, message: string) => void) | undefined;
}

export interface TalkingHeadVideo {
  bytes: Uint8Array;
  mimeType: 'video/mp4';
  /** The provider's configured name (`fal`, `replicate`, `did` …). */
  provider: string;
  /** The model id at the provider (`fal-ai/sadtalker`). */
  model: string;
  /** The provider's id for the job (queue request, prediction, talk), for provenance. */
  requestId: string;
}

/** An input checked and typed from its bytes. */
export interface SniffedMedia {
  bytes: Uint8Array;
  mimeType: string;
  extension: string;
}

export interface TalkingHeadInputs {
  portrait: SniffedMedia;
  audio: SniffedMedia;
}

/** One resolved provider for an adapter call. */
export interface TalkingHeadContext extends ProviderCallContext {
  modelId: string;
  /** API base without a trailing slash. */
  baseURL: string;
  /** Auth and configured headers. */
  headers: Record<string, string>;
  pollMs: number;
  timeoutMs: number;
  maxBytes: number;
  maxInputBytes: number;
  /** Caller's extra model input. */
  input: Record<string, unknown>;
  progress: (fraction: number, message: string) => void;
}

/** Where an adapter found the finished video. */
export interface VideoLocation {
  url: string;
  requestId: string;
}
