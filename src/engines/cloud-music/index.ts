import { ShenbiError } from '../../core/errors.ts';
import type { EngineInfo } from '../engine-info.ts';
import { resolveSpec, type ResolveOptions } from '../providers/resolve.ts';
import type { ProviderRetryOptions } from '../providers/retry-call.ts';
import { elevenLabsMusic } from './elevenlabs-music.ts';
import { falMusic } from './fal-music.ts';
import { replicateMusic } from './replicate-music.ts';
import type { AdapterContext, CloudMusicRequest, CloudMusicResult } from './types.ts';

export type { CloudMusicRequest, CloudMusicResult } from './types.ts';
export { isCloudMusicSpec } from './spec.ts';

export const CLOUD_MUSIC_ENGINE_INFO: EngineInfo = {
  id: 'cloud-music',
  version: '1',
  tasks: ['music'],
  local: false,
  license: 'Apache-2.0 (adapters); the music is made by the provider under its terms',
  description: 'Music from ElevenLabs (music, sound effects), Replicate (MusicGen, ACE-Step) and fal (ACE-Step, Stable Audio) through their HTTP APIs.',
};

const MUSIC_KINDS = ['elevenlabs', 'replicate', 'fal'] as const;
type MusicKind = (typeof MUSIC_KINDS)[number];

/** The model used when a spec names only the provider. */
const DEFAULT_MUSIC_MODELS: Record<MusicKind, string> = { elevenlabs: 'music_v1', replicate: 'meta/musicgen', fal: 'fal-ai/ace-step' };
const DEFAULT_BASE_URLS: Record<MusicKind, string> = { elevenlabs: 'https://api.elevenlabs.io/v1', replicate: 'https://api.replicate.com/v1', fal: 'https://queue.fal.run' };


export interface CloudMusicOptions extends ResolveOptions {
  signal?: AbortSignal | undefined;
  /** Poll interval for queued generations, ms (default 2000). */
  pollMs?: number | undefined;
  /** Longest wait for a queued generation, ms (default 10 minutes). */
  timeoutMs?: number | undefined;
  retry?: ProviderRetryOptions | undefined;
}

function authHeaders(kind: MusicKind, key: string | undefined): Record<string, string> {
  if (key === undefined) return {};
  if (kind === 'elevenlabs') return { 'xi-api-key': key };
  if (kind === 'replicate') return { authorization: `Bearer ${key}` };
  return { authorization: `Key ${key}` };
}

/** Generates music on the provider the spec names; returns the provider's audio bytes, not yet checked. */
export async function generateCloudMusic(spec: string, request: CloudMusicRequest, options: CloudMusicOptions = {}): Promise<CloudMusicResult> {
  const isMusicKind = (kind: string): kind is MusicKind => (MUSIC_KINDS as readonly string[]).includes(kind);
  const { config, modelId, key } = resolveSpec(spec, options, (c) => (isMusicKind(c.kind) ? DEFAULT_MUSIC_MODELS[c.kind] : undefined));
  const kind = config.kind;
  if (!isMusicKind(kind)) {
    throw new ShenbiError('ENGINE_UNAVAILABLE', `provider "${config.name}" (${kind}) offers no music model here`, { hint: 'Use elevenlabs:music_v1, replicate:meta/musicgen or fal:fal-ai/ace-step.' });
  }
  const ctx: AdapterContext = {
    spec: `${config.name}:${modelId}`,
    keyEnv: config.apiKeyEnv,
    signal: options.signal,
    retry: options.retry,
    modelId,
    baseURL: (config.baseURL ?? DEFAULT_BASE_URLS[kind]).replace(/\/$/, ''),
    headers: { ...config.headers, ...authHeaders(kind, key) },
    pollMs: options.pollMs ?? 2_000,
    timeoutMs: options.timeoutMs ?? 600_000,
  };
  if (kind === 'elevenlabs') return elevenLabsMusic(request, ctx);
  if (kind === 'replicate') return replicateMusic(request, ctx);
  return falMusic(request, ctx);
}
