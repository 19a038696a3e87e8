import { ShenbiError } from '../../core/errors.ts';
import type { EngineInfo } from '../engine-info.ts';
import { boundedFetch, TEXT_RESPONSE_LIMITS } from '../providers/bounded-fetch.ts';
import { resolveSpec, type ResolveOptions } from '../providers/resolve.ts';
import type { ProviderRetryOptions } from '../providers/retry-call.ts';
import { DEFAULT_MODEL_MAX_BYTES, downloadModel, MODEL_MAX_BYTES_CEILING } from './download.ts';
import { falModel } from './fal-3d.ts';
import { meshyModel } from './meshy.ts';
import { replicateModel } from './replicate-3d.ts';
import { rodinModel } from './rodin.ts';
import { tripoModel } from './tripo.ts';
import type { Cloud3dContext, Cloud3dRequest, Cloud3dResult, ModelLocation } from './types.ts';

export type { Cloud3dImage, Cloud3dRequest, Cloud3dResult } from './types.ts';
export { isCloud3dSpec } from './spec.ts';
export { DEFAULT_MODEL_MAX_BYTES, MODEL_MAX_BYTES_CEILING } from './download.ts';
export { toCloud3dImage } from './image-data.ts';

export const CLOUD_3D_ENGINE_INFO: EngineInfo = {
  id: 'cloud-3d',
  version: '1',
  tasks: ['3d'],
  local: false,
  license: 'Apache-2.0 (adapters); the model is made by the provider under its terms',
  description: 'Text- and image-to-3D from Meshy, Tripo, Hyper3D Rodin, fal (TRELLIS, Hunyuan3D) and Replicate (TRELLIS) through their HTTP APIs; every file is parsed as glTF before it is kept.',
};

const KINDS = ['meshy', 'tripo', 'rodin', 'fal', 'replicate'] as const;
type Kind = (typeof KINDS)[number];

/** The model used when a spec names only the provider. */
const DEFAULT_MODELS: Record<Kind, string> = { meshy: 'latest', tripo: 'default', rodin: 'Gen-2', fal: 'fal-ai/trellis', replicate: 'firtoz/trellis' };
const DEFAULT_BASE_URLS: Record<Kind, string> = {
  meshy: 'https://api.meshy.ai',
  tripo: 'https://api.tripo3d.ai',
  rodin: 'https://hyperhuman.deemos.com',
  fal: 'https://queue.fal.run',
  replicate: 'https://api.replicate.com/v1',
};
const ADAPTERS: Record<Kind, (request: Cloud3dRequest, ctx: Cloud3dContext) => Promise<ModelLocation>> = {
  meshy: meshyModel,
  tripo: tripoModel,
  rodin: rodinModel,
  fal: falModel,
  replicate: replicateModel,
};
/** API answers (JSON) are small; a stalled one must not hold the job. */
const API_LIMITS = { ...TEXT_RESPONSE_LIMITS, headersMs: 120_000, idleMs: 60_000 };

export interface Cloud3dOptions extends ResolveOptions {
  signal?: AbortSignal | undefined;
  /** First poll interval, ms (default 5000; polls slow down to 4×). */
  pollMs?: number | undefined;
  /** Longest wait for the generation, ms (default 20 minutes). */
  timeoutMs?: number | undefined;
  /** Largest model file accepted, bytes (default 200 MB, at most 1 GB). */
  maxBytes?: number | undefined;
  /** With webhooks (fal, Replicate), how long to wait for one before polling, ms (default 15 minutes). */
  webhookWaitMs?: number | undefined;
  retry?: ProviderRetryOptions | undefined;
}

function authHeaders(kind: Kind, key: string | undefined): Record<string, string> {
  if (key === undefined) return {};
  return kind === 'fal' ? { authorization: `Key ${key}` } : { authorization: `Bearer ${key}` };
}

/** Makes a 3D model on the provider the spec names, downloads it and checks it is glTF with a mesh. */
export async function generateCloud3d(spec: string, request: Cloud3dRequest, options: Cloud3dOptions = {}): Promise<Cloud3dResult> {
  const isKind = (kind: string): kind is Kind => (KINDS as readonly string[]).includes(kind);
  const { config, modelId, key } = resolveSpec(spec, options, (c) => (isKind(c.kind) ? DEFAULT_MODELS[c.kind] : undefined));
  const kind = config.kind;
  if (!isKind(kind)) {
    throw new ShenbiError('ENGINE_UNAVAILABLE', `provider "${config.name}" (${kind}) offers no 3D model here`, { hint: 'Use meshy:latest, tripo:default, rodin:Gen-2, fal:fal-ai/trellis or replicate:firtoz/trellis:<version>.' });
  }
  const ctx: Cloud3dContext = {
    spec: `${config.name}:${modelId}`,
    keyEnv: config.apiKeyEnv,
    signal: options.signal,
    retry: options.retry,
    fetch: boundedFetch(API_LIMITS),
    modelId,
    baseURL: (config.baseURL ?? DEFAULT_BASE_URLS[kind]).replace(/\/+$/, ''),
    headers: { ...config.headers, ...authHeaders(kind, key) },
    pollMs: options.pollMs ?? 5_000,
    timeoutMs: options.timeoutMs ?? 20 * 60_000,
    maxBytes: Math.min(MODEL_MAX_BYTES_CEILING, options.maxBytes ?? DEFAULT_MODEL_MAX_BYTES),
    webhookWaitMs: options.webhookWaitMs ?? 15 * 60_000,
    env: options.env ?? process.env,
  };
  const location = await ADAPTERS[kind](request, ctx);
  return downloadModel(location, ctx);
}
