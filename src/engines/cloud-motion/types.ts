import type { ProviderCallContext } from '../cloud-music/http.ts';
import type { MotionClip } from '../motion/clip.ts';

/** What a text-to-motion server is asked for. */
export interface CloudMotionRequest {
  prompt: string;
  /** The frame rate asked for; the server may answer at its own (MDM and MoMask make 20 fps). */
  fps: number;
  seed?: number | undefined;
  /** Seconds, when the caller wants a length; the server picks one otherwise. */
  duration?: number | undefined;
}

/** A provider's motion, already parsed, checked and imported onto the standard skeleton. */
export interface CloudMotionResult {
  clip: MotionClip;
  /** The server's job id (or `sync` for an answer given at once), for provenance. */
  requestId: string;
  /** How the joints came: inline in the answer, or a file downloaded from the named URL. */
  delivery: 'inline' | 'file';
}

/** One resolved motion provider for an adapter call. */
export interface CloudMotionContext extends ProviderCallContext {
  modelId: string;
  /** API base without a trailing slash. */
  baseURL: string;
  /** The Bearer key (when configured) and configured headers. */
  headers: Record<string, string>;
  /** First poll interval, ms, when the server gives no Retry-After. */
  pollMs: number;
  /** Give up polling after this long, ms. */
  timeoutMs: number;
  /** Largest answer or file accepted, bytes. */
  maxBytes: number;
}
