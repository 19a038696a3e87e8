import type { ProviderCallContext } from './http.ts';

/** What a cloud music model is asked for; each adapter maps it onto its API's fields. */
export interface CloudMusicRequest {
  /** Style and subject in words: mood, genre, tempo, who it is for and what it wishes. */
  prompt: string;
  /** Lyrics to sing (sections separated by blank lines or [Verse]/[Chorus] tags); absent: the model decides. */
  lyrics?: string | undefined;
  /** The user's own words, unstyled (sound effects use these rather than a song description). */
  description?: string | undefined;
  durationSec: number;
  seed?: number | undefined;
  /** No vocals at all. */
  instrumental: boolean;
}

export interface CloudMusicResult {
  bytes: Uint8Array;
  mediaType: string | undefined;
  /** The provider's id for the generation (prediction or queue request), for provenance. */
  requestId: string | undefined;
}

/** One resolved provider for an adapter call. */
export interface AdapterContext extends ProviderCallContext {
  modelId: string;
  /** API base without a trailing slash. */
  baseURL: string;
  /** Auth and configured headers. */
  headers: Record<string, string>;
  /** How often to poll a queued generation, ms. */
  pollMs: number;
  /** Give up polling after this long, ms. */
  timeoutMs: number;
}
