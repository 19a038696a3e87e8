import type { PipelineSpecInput } from '../core/pipeline.ts';
import { applyStyle, hasCjk } from './steps/image/style-presets.ts';

/**
 * `generate image`: a picture operation (image.edit), a cloud or self-hosted model by
 * provider:model (image.cloud), a local diffusion model by name or folder (image.diffusion),
 * or the offline typographic card. Style presets are applied here, so the prompt moderation
 * checks at submission is the prompt the model receives. For English-only models a Chinese
 * prompt is first rewritten in English by the text model (prompt.expand, target
 * image-english); the user's prompt goes on as `originalPrompt`, kept in provenance.
 */
type Input = Record<string, unknown>;

function defined(input: Input, keys: readonly string[]): Input {
  return Object.fromEntries(keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
}

/** Local diffusion and the Stable Diffusion servers read English prompts only (CLIP's BPE vocabulary). */
const ENGLISH_ONLY_PROVIDERS = new Set(['automatic1111', 'comfyui']);

export function isEnglishOnlyImageModel(model: string): boolean {
  const sep = model.indexOf(':');
  return sep < 0 || ENGLISH_ONLY_PROVIDERS.has(model.slice(0, sep));
}

function editPipeline(input: Input): PipelineSpecInput {
  // Thumbnails are WebP unless another compressed format is asked for (the task's default is png).
  const format = input.operation === 'thumbnail' && input.format === 'png' ? {} : defined(input, ['format']);
  return {
    id: 'edit-image',
    title: `Image: ${String(input.operation)}`,
    steps: [{
      id: 'edit',
      uses: 'image.edit',
      with: { ...defined(input, ['operation', 'image', 'width', 'height', 'fit', 'box', 'strategy', 'factor', 'subtitle']), ...(input.prompt === undefined ? {} : { title: input.prompt }), ...format },
    }],
    outputs: { image: { $from: 'edit.image' } },
  };
}

function cardPipeline(input: Input): PipelineSpecInput {
  const count = Number(input.count ?? 1);
  const steps = Array.from({ length: count }, (_, i) => ({
    id: `image${i + 1}`,
    uses: 'image.card',
    with: {
      title: input.prompt,
      text: input.style ?? '',
      ...defined(input, ['width', 'height']),
      format: input.format,
      ...(typeof input.seed === 'number' ? { seed: input.seed + i } : {}),
    },
  }));
  return { id: 'generate-image', title: 'Generate image', steps, outputs: Object.fromEntries(steps.map((s) => [s.id, { $from: `${s.id}.image` }])) };
}

export function imageTaskPipeline(input: Input): PipelineSpecInput {
  if (input.operation !== undefined) return editPipeline(input);
  if (typeof input.model !== 'string') return cardPipeline(input);
  const model = input.model;
  const cloud = model.includes(':');
  const original = String(input.prompt);
  const styled = applyStyle(original, typeof input.negativePrompt === 'string' ? input.negativePrompt : undefined, typeof input.style === 'string' ? input.style : undefined);
  const translate = input.translatePrompt ?? (isEnglishOnlyImageModel(model) && hasCjk(original));
  const keys = cloud
    ? ['model', 'width', 'height', 'aspectRatio', 'steps', 'guidance', 'count', 'seed', 'format']
    : ['model', 'width', 'height', 'count', 'steps', 'guidance', 'seed', 'scheduler', 'image', 'strength', 'format'];
  const generator = {
    id: 'image',
    uses: cloud ? 'image.cloud' : 'image.diffusion',
    with: {
      ...defined(input, keys),
      prompt: translate === true ? { $from: 'translate.description' } : styled.prompt,
      ...(styled.negativePrompt ? { negativePrompt: styled.negativePrompt } : {}),
      ...(translate === true || styled.prompt !== original ? { originalPrompt: original } : {}),
    },
  };
  const steps = translate === true
    ? [{ id: 'translate', uses: 'prompt.expand', with: { prompt: styled.prompt, count: 1, target: 'image-english', temperature: 0.2, ...(typeof input.seed === 'number' ? { seed: input.seed } : {}) } }, generator]
    : [generator];
  return {
    id: 'generate-image',
    title: cloud ? 'Generate images' : 'Generate images (local diffusion)',
    steps,
    outputs: { images: { $from: 'image.images' }, ...(translate === true ? { prompt: { $from: 'translate.document' } } : {}) },
  };
}
