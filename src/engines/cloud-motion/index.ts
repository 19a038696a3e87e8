import { ShenbiError } from '../../core/errors.ts';
import type { EngineInfo } from '../engine-info.ts';
import { resolveSpec, type ResolveOptions } from '../providers/resolve.ts';
import type { ProviderRetryOptions } from '../providers/retry-call.ts';
import { motionHttpGenerate } from './motion-http.ts';
import { MOTION_PROVIDER_KINDS } from './spec.ts';
import type { CloudMotionContext, CloudMotionRequest, CloudMotionResult } from './types.ts';

export type { CloudMotionRequest, CloudMotionResult } from './types.ts';
export { isMotionProviderSpec, MOTION_PROVIDER_KINDS } from './spec.ts';

export const CLOUD_MOTION_ENGINE_INFO: EngineInfo = {
  id: 'cloud-motion',
  version: '1',
  tasks: ['motion'],
  local: false,
  license: 'Apache-2.0 (adapter); the motion is made by the server\'s model under its terms',
  description: 'Text-to-motion from any HTTP server speaking the documented minimal protocol (MDM, MoMask, MotionGPT behind a small shim); its HumanML3D joints are checked and imported onto the standard skeleton.',
};

/** 300 s at 60 fps as JSON numbers is ~25 MB; a larger answer is not a motion. */
export const DEFAULT_MOTION_MAX_BYTES = 64 * 1024 * 1024;

export interface CloudMotionOptions extends ResolveOptions {
  signal?: AbortSignal | undefined;
  /** First poll interval when the server gives no Retry-After, ms (default 2000; slows to 4×). */
  pollMs?: number | undefined;
  /** Longest the whole generation may take (submit, queue, polls, download), ms (default 20 minutes). */
  timeoutMs?: number | undefined;
  /** Largest answer or motion file accepted, bytes (default 64 MB). */
  maxBytes?: number | undefined;
  retry?: ProviderRetryOptions | undefined;
}

type Kind = (typeof MOTION_PROVIDER_KINDS)[number];
const isKind = (kind: string): kind is Kind => (MOTION_PROVIDER_KINDS as readonly string[]).includes(kind);

/** Asks the motion server the spec names for a motion and returns it checked and imported. */
export async function generateCloudMotion(spec: string, request: CloudMotionRequest, options: CloudMotionOptions = {}): Promise<CloudMotionResult> {
  const { config, modelId, key } = resolveSpec(spec, options, (c) => c.defaultModel ?? 'default');
  if (!isKind(config.kind)) throw new ShenbiError('ENGINE_UNAVAILABLE', `provider "${config.name}" (${config.kind}) makes no motion`, { hint: 'Configure a provider of kind motion-http (docs/motion-protocol.md) and use <name>:<model>.' });
  if (config.baseURL === undefined) throw new ShenbiError('INVALID_INPUT', `provider "${config.name}" needs a baseURL: where the motion server runs`);
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  // One deadline for the whole job, whatever stage it is in; cancellation stops it too.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new ShenbiError('ENGINE_TIMEOUT', `${spec}: no motion within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);
  const ctx: CloudMotionContext = {
    spec: `${config.name}:${modelId}`,
    keyEnv: config.apiKeyEnv,
    signal,
    retry: options.retry,
    modelId,
    baseURL: config.baseURL.replace(/\/+$/, ''),
    headers: { ...config.headers, ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    pollMs: options.pollMs ?? 2_000,
    timeoutMs,
    maxBytes: options.maxBytes ?? DEFAULT_MOTION_MAX_BYTES,
  };
  try {
    return await motionHttpGenerate(request, ctx);
  } catch (error) {
    if (deadline.signal.aborted && !options.signal?.aborted) throw deadline.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
