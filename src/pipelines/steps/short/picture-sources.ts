import { LoadAPIKeyError, type ImageModelV3 } from '@ai-sdk/provider';
import { generateImage } from 'ai';
import { loadSharp } from '../../../media/load-sharp.ts';
import { backoffDelay, sleep } from '../../../core/backoff.ts';
import type { JobCaller } from '../../../core/job-caller.ts';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { DIFFUSION_ENGINE_INFO, generateDiffusionImage } from '../../../engines/diffusion/index.ts';
import { isRetryableProviderError, toProviderError } from '../../../engines/providers/index.ts';
import { imageCallOptions, imageProviderFamily, ratioOf } from '../../../engines/providers/image-call-options.ts';
import { sharpErrorGist } from '../../../engines/image-ops/sharp-error.ts';
import type { DiffusionModelResolver } from '../image/diffusion-model-dir.ts';
import type { Aspect } from './scene-cards.ts';

/** Where generated pictures come from: the same engines as image.cloud and image.diffusion. */
export interface PictureEngines {
  /** `provider:model` → an AI SDK image model (providerImageModel); throws for an unknown provider or a missing key. */
  imageModel(spec: string): ImageModelV3;
  diffusionModel: DiffusionModelResolver;
}

/** A resolved `model` input: a provider or self-hosted SD server model, or an installed local diffusion model. */
export type PictureModel =
  | { readonly source: 'provider' | 'sd-server'; readonly spec: string; readonly provider: string; readonly model: ImageModelV3 }
  | { readonly source: 'diffusion'; readonly spec: string; readonly name: string; readonly dir: string };

const SD_SERVER_FAMILIES = new Set(['automatic1111', 'comfyui']);
/** Families whose SDKs take a ratio rather than a size (see imageCallOptions). */
const RATIO_FAMILIES = new Set(['fal', 'replicate', 'black-forest-labs', 'luma', 'google']);

/** `provider:model` (not a Windows drive or a relative path). */
function isProviderSpec(model: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*:/.test(model) && !/^[A-Za-z]:[\\/]/.test(model);
}

/**
 * Resolves `model` before any work, so a name that cannot work (unknown provider, missing key,
 * no such diffusion model) fails the step with that error rather than after pictures were made.
 * A bare name is an installed diffusion model, or else a provider's default model.
 */
export async function resolvePictureModel(model: string, engines: PictureEngines, caller: JobCaller): Promise<PictureModel> {
  if (isProviderSpec(model)) return imageModelOf(model, engines);
  try {
    const found = await engines.diffusionModel(model, caller);
    return { source: 'diffusion', spec: model, name: found.name, dir: found.dir };
  } catch (error) {
    if (!(error instanceof ShenbiError && error.code === 'MODEL_NOT_INSTALLED') || model.includes('/') || model.includes('\\')) throw error;
    try {
      return imageModelOf(model, engines);
    } catch {
      throw error; // neither an installed model nor a provider: the model's own error says more
    }
  }
}

function imageModelOf(spec: string, engines: PictureEngines): PictureModel {
  const model = engines.imageModel(spec);
  const family = imageProviderFamily(model);
  return { source: SD_SERVER_FAMILIES.has(family) ? 'sd-server' : 'provider', spec, provider: spec.split(':')[0]!, model };
}

/** Picture sizes by source and aspect: what each kind of model draws well. */
const SIZES: Readonly<Record<PictureModel['source'], Readonly<Record<Aspect, { width: number; height: number }>>>> = {
  // OpenAI-style sizes; providers that take a ratio get the ratio instead.
  provider: { '9:16': { width: 1024, height: 1792 }, '16:9': { width: 1792, height: 1024 }, '1:1': { width: 1024, height: 1024 } },
  // SDXL's buckets; SD 1.5 checkpoints cope.
  'sd-server': { '9:16': { width: 768, height: 1344 }, '16:9': { width: 1344, height: 768 }, '1:1': { width: 1024, height: 1024 } },
  // Multiples of 64 the local ONNX pipeline accepts, at SD-Turbo's native scale (fast on CPU).
  diffusion: { '9:16': { width: 512, height: 896 }, '16:9': { width: 896, height: 512 }, '1:1': { width: 512, height: 512 } },
};

export function pictureSize(source: PictureModel['source'], aspect: Aspect): { width: number; height: number } {
  return SIZES[source][aspect];
}

/** One generated picture, ready to store. */
export interface GeneratedPicture {
  bytes: Buffer;
  width: number;
  height: number;
  engine: { id: string; version: string };
  parameters: Record<string, unknown>;
  seed: number;
}

/** Why generation stopped: `scope` 'scene' when only this prompt was refused, 'source' when the model itself is failing. */
export class PictureFailure extends Error {
  constructor(
    readonly note: string,
    readonly scope: 'scene' | 'source',
    readonly error: ShenbiError,
  ) {
    super(note);
  }
}

export const PROVIDER_TRIES = 3;
const RETRY = { maxAttempts: PROVIDER_TRIES, initialDelayMs: 500, maxDelayMs: 4000, factor: 2 };

/**
 * One picture from the resolved model. A provider's transient failures (429, 5xx, timeouts,
 * dropped connections) are tried PROVIDER_TRIES times with backoff; then, or on any local
 * engine failure, a PictureFailure says whether only this scene or the whole source is out.
 */
export async function generatePicture(
  ctx: Pick<StepContext, 'signal' | 'progress'>,
  source: PictureModel,
  request: { prompt: string; aspect: Aspect; seed: number; onProgress?: (share: number) => void },
): Promise<GeneratedPicture> {
  const size = pictureSize(source.source, request.aspect);
  if (source.source === 'diffusion') {
    try {
      const result = await generateDiffusionImage(
        { modelDir: source.dir, prompt: request.prompt, ...size, seed: request.seed >>> 0 },
        { signal: ctx.signal, onProgress: (p) => request.onProgress?.(p.step / p.total) },
      );
      return {
        bytes: result.png,
        width: result.width,
        height: result.height,
        engine: { id: DIFFUSION_ENGINE_INFO.id, version: DIFFUSION_ENGINE_INFO.version },
        parameters: { steps: result.steps, scheduler: result.scheduler, guidance: result.guidanceScale, promptTruncated: result.truncated },
        seed: result.seed,
      };
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const failure = toShenbiError(error, 'ENGINE_FAILED');
      throw new PictureFailure(`${source.name}: ${failure.code} (${failure.message})`, 'source', failure);
    }
  }
  const family = imageProviderFamily(source.model);
  const call = imageCallOptions(family, { ...size, ...(RATIO_FAMILIES.has(family) ? { aspectRatio: ratioOf(size.width, size.height) } : {}) });
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await generateImage({
        model: source.model,
        prompt: request.prompt,
        n: 1,
        ...(call.size ? { size: call.size } : {}),
        ...(call.aspectRatio ? { aspectRatio: call.aspectRatio } : {}),
        seed: request.seed,
        providerOptions: call.providerOptions,
        abortSignal: ctx.signal,
        maxRetries: 0,
      });
      const image = result.images[0];
      if (image === undefined) throw new ShenbiError('PROVIDER_REJECTED', `${source.spec} returned no image`);
      return await decoded(source, image.uint8Array, call.ignored, request.seed);
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (error instanceof PictureFailure) throw error;
      // The SDK found no key (a provider on this machine configured without one): a setup error, not a card.
      if (LoadAPIKeyError.isInstance(error)) throw new ShenbiError('PROVIDER_KEY_MISSING', `${source.spec}: ${gist(error.message)}`, { cause: error, hint: 'Set the provider\'s apiKeyEnv variable, even to a dummy value for a local server.' });
      const retryable = isRetryableProviderError(error);
      if (retryable && attempt < PROVIDER_TRIES) {
        await sleep(backoffDelay(RETRY, attempt), ctx.signal);
        continue;
      }
      const failure = error instanceof ShenbiError ? error : toProviderError(error, source.spec);
      const tries = attempt === 1 ? '' : ` after ${attempt} tries`;
      // A refused prompt (400/422) is this scene's problem; anything else means the provider is out.
      const status = (failure.details as { status?: unknown } | undefined)?.status;
      const scope = !retryable && (status === 400 || status === 422) ? 'scene' : 'source';
      throw new PictureFailure(`${source.provider}: ${failure.code}${tries} (${gist(failure.message)})`, scope, failure);
    }
  }
}

async function decoded(source: Extract<PictureModel, { model: ImageModelV3 }>, bytes: Uint8Array, ignored: string[], seed: number): Promise<GeneratedPicture> {
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: 50_000_000 }).png().toBuffer({ resolveWithObject: true });
    return {
      bytes: data,
      width: info.width,
      height: info.height,
      engine: { id: `cloud:${source.provider}`, version: 'ai-sdk' },
      parameters: { ignoredByProvider: ignored },
      seed,
    };
  } catch (error) {
    const failure = new ShenbiError('PROVIDER_REJECTED', `${source.spec} returned an image that cannot be decoded: ${sharpErrorGist(error)}`, { cause: error });
    throw new PictureFailure(`${source.provider}: ${failure.code} (undecodable image)`, 'scene', failure);
  }
}

function gist(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
