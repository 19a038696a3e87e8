export { ClipTokenizer, CLIP_CONTEXT, type TokenizedPrompt } from './clip-tokenizer.ts';
export { DIFFUSION_SIZES, diffusionRequestSchema, type DiffusionProgress, type DiffusionRequest, type DiffusionResult } from './diffusion-request.ts';
export { DIFFUSION_ENGINE_INFO, generateDiffusionImage, type DiffusionOptions } from './generate.ts';
export { readModelLayout, SD_VAE_SCALING_FACTOR, type DiffusionModelLayout } from './model-dir.ts';
export { diffusionSessionOptions, loadedDiffusionModels, releaseDiffusionSessions, setDiffusionIdleRelease } from './session-cache.ts';
