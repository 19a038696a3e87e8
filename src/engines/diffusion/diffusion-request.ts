import { z } from 'zod';

/** Sizes the engine accepts: the VAE halves three times and the UNet three more, so 64-pixel steps. */
export const DIFFUSION_SIZES = Array.from({ length: 13 }, (_, i) => 256 + 64 * i);

export const diffusionRequestSchema = z
  .object({
    /** A diffusers/optimum ONNX export folder. */
    modelDir: z.string().min(1),
    prompt: z.string().min(1).max(10_000),
    negativePrompt: z.string().max(10_000).default(''),
    width: z.number().int().default(512),
    height: z.number().int().default(512),
    /** Default: 1 for Euler (SD-Turbo), 2 for Euler image-to-image, 4 for LCM. */
    steps: z.number().int().min(1).max(50).optional(),
    /** > 1 runs classifier-free guidance with the negative prompt; LCM models embed it instead. Default 0 (SD-Turbo), 8 for LCM. */
    guidanceScale: z.number().min(0).max(30).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
    /** Default: what the model folder's scheduler config names (LCMScheduler → lcm, else euler). */
    scheduler: z.enum(['euler', 'lcm']).optional(),
    /** Image-to-image: the picture to start from (any format sharp reads). */
    initImage: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected image bytes').optional(),
    /** How much of the init image to re-imagine, 0 < strength ≤ 1. */
    strength: z.number().gt(0).max(1).default(0.5),
  })
  .strict();

export type DiffusionRequest = z.input<typeof diffusionRequestSchema>;

export interface DiffusionProgress {
  step: number;
  total: number;
}

export interface DiffusionResult {
  png: Buffer;
  width: number;
  height: number;
  seed: number;
  steps: number;
  scheduler: 'euler' | 'lcm';
  guidanceScale: number;
  /** The prompt had more than 75 CLIP tokens; the tail was not seen by the model. */
  truncated: boolean;
  timesteps: number[];
  timings: { textMs: number; unetMs: number; vaeMs: number; totalMs: number };
}
