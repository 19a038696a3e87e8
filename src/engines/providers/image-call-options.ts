import type { ImageModelV3 } from '@ai-sdk/provider';

/**
 * What each image provider understands of Shenbi's request: size or aspect ratio, and the
 * negative prompt, which has no field in the AI SDK's image call and travels as a
 * provider option under the provider's own key and spelling. Ignored parameters are
 * reported as notes (kept in provenance) rather than silently dropped.
 */
export interface ImageRequest {
  width: number;
  height: number;
  /** "W:H"; when set, providers that take a ratio get it instead of a size. */
  aspectRatio?: `${number}:${number}` | undefined;
  negativePrompt?: string | undefined;
  steps?: number | undefined;
  guidance?: number | undefined;
}

export interface ImageCallOptions {
  size?: `${number}x${number}`;
  aspectRatio?: `${number}:${number}`;
  providerOptions: Record<string, Record<string, string | number | boolean>>;
  /** Parameters this provider does not take. */
  ignored: string[];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export function ratioOf(width: number, height: number): `${number}:${number}` {
  const g = gcd(width, height);
  return `${width / g}:${height / g}`;
}

/** The family of an AI SDK image model, from its `provider` string (e.g. "fal.image" → "fal"). */
export function imageProviderFamily(model: Pick<ImageModelV3, 'provider'>): string {
  return model.provider.split('.')[0]!;
}

export function imageCallOptions(family: string, request: ImageRequest): ImageCallOptions {
  const size = `${request.width}x${request.height}` as const;
  const ignored: string[] = [];
  const neg = request.negativePrompt?.trim() ? request.negativePrompt : undefined;
  const tuning = (steps: string, guidance: string) => ({
    ...(request.steps === undefined ? {} : { [steps]: request.steps }),
    ...(request.guidance === undefined ? {} : { [guidance]: request.guidance }),
  });
  switch (family) {
    case 'fal':
      return { ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : { size }), providerOptions: { fal: { ...(neg ? { negative_prompt: neg } : {}), ...tuning('numInferenceSteps', 'guidanceScale') } }, ignored };
    case 'replicate':
      return { ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : { size }), providerOptions: { replicate: { ...(neg ? { negative_prompt: neg } : {}), ...tuning('num_inference_steps', 'guidance_scale') } }, ignored };
    case 'black-forest-labs':
      // FLUX has no negative prompt; width and height go as options, the ratio is derived from them.
      if (neg) ignored.push('negativePrompt');
      return { ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : { size }), providerOptions: { blackForestLabs: { ...tuning('steps', 'guidance') } }, ignored };
    case 'luma':
      // Photon takes an aspect ratio only, and no seed or negative prompt.
      if (neg) ignored.push('negativePrompt');
      return { aspectRatio: request.aspectRatio ?? ratioOf(request.width, request.height), providerOptions: {}, ignored };
    case 'google':
      return { ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : { size }), providerOptions: { google: { ...(neg ? { negativePrompt: neg } : {}) } }, ignored };
    case 'automatic1111':
    case 'comfyui':
      return { size, providerOptions: { sd: { ...(neg ? { negativePrompt: neg } : {}), ...tuning('steps', 'guidance') } }, ignored };
    default:
      // OpenAI and OpenAI-compatible servers: a size, no negative prompt.
      if (neg) ignored.push('negativePrompt');
      return { ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : { size }), providerOptions: {}, ignored };
  }
}
