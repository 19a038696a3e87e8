import type { ImageModelV3, ImageModelV3CallOptions, SharedV3Warning } from '@ai-sdk/provider';
import { a1111Generate } from './automatic1111.ts';
import { comfyRun, txt2imgWorkflow } from './comfyui.ts';

/**
 * Self-hosted Stable Diffusion servers behind the AI SDK's image-model interface, so they are
 * chosen like any provider (`mybox:sd_xl_base_1.0.safetensors`) and share the image step.
 * Negative prompt, steps and guidance come through providerOptions.sd.
 */
interface SdOptions {
  negativePrompt?: string;
  steps?: number;
  guidance?: number;
}

function size(options: ImageModelV3CallOptions): { width: number; height: number } {
  const [w, h] = (options.size ?? '1024x1024').split('x').map(Number);
  return { width: w ?? 1024, height: h ?? 1024 };
}

function sdOptions(options: ImageModelV3CallOptions): SdOptions {
  return (options.providerOptions?.sd ?? {}) as SdOptions;
}

function response(modelId: string) {
  return { timestamp: new Date(), modelId, headers: undefined };
}

export function a1111ImageModel(baseURL: string, modelId: string): ImageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'automatic1111',
    modelId,
    maxImagesPerCall: 8,
    async doGenerate(options) {
      const sd = sdOptions(options);
      const warnings: SharedV3Warning[] = [];
      const initImage = options.files?.[0];
      const { images } = await a1111Generate(
        {
          prompt: options.prompt ?? '',
          ...size(options),
          count: options.n,
          ...(options.seed === undefined ? {} : { seed: options.seed }),
          ...(sd.negativePrompt ? { negativePrompt: sd.negativePrompt } : {}),
          ...(sd.steps ? { steps: sd.steps } : {}),
          ...(sd.guidance ? { cfgScale: sd.guidance } : {}),
          ...(initImage && initImage.type === 'file' && typeof initImage.data !== 'string' ? { initImage: initImage.data } : {}),
        },
        { baseURL, ...(options.abortSignal ? { signal: options.abortSignal } : {}) },
      );
      return { images: images.map((b) => new Uint8Array(b)), warnings, response: response(modelId) };
    },
  };
}

export function comfyImageModel(baseURL: string, checkpoint: string): ImageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'comfyui',
    modelId: checkpoint,
    maxImagesPerCall: 8,
    async doGenerate(options) {
      const sd = sdOptions(options);
      const workflow = txt2imgWorkflow({
        checkpoint,
        prompt: options.prompt ?? '',
        ...size(options),
        seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
        count: options.n,
        ...(sd.negativePrompt ? { negativePrompt: sd.negativePrompt } : {}),
        ...(sd.steps ? { steps: sd.steps } : {}),
        ...(sd.guidance ? { cfg: sd.guidance } : {}),
      });
      const images = await comfyRun(workflow, { baseURL, ...(options.abortSignal ? { signal: options.abortSignal } : {}) });
      return { images: images.map((b) => new Uint8Array(b)), warnings: [], response: response(checkpoint) };
    },
  };
}
