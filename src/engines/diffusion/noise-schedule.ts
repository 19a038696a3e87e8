import { z } from 'zod';

/** The fields of diffusers' scheduler_config.json that the few-step samplers here read; the rest is ignored. */
export const schedulerConfigSchema = z
  .object({
    _class_name: z.string().optional(),
    num_train_timesteps: z.number().int().positive().default(1000),
    beta_start: z.number().positive().default(0.00085),
    beta_end: z.number().positive().default(0.012),
    beta_schedule: z.enum(['scaled_linear', 'linear']).default('scaled_linear'),
    prediction_type: z.enum(['epsilon', 'v_prediction']).default('epsilon'),
    timestep_spacing: z.enum(['leading', 'trailing', 'linspace']).default('trailing'),
    steps_offset: z.number().int().min(0).default(0),
    /** LCM: the teacher's step count its timesteps are drawn from. */
    original_inference_steps: z.number().int().positive().default(50),
    /** LCM: boundary-condition scaling of the consistency function. */
    timestep_scaling: z.number().positive().default(10),
    set_alpha_to_one: z.boolean().default(true),
  })
  .loose();

export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;

/** ᾱ_t for t = 0 … T-1: the fraction of signal left after t noising steps. */
export function alphasCumprod(config: SchedulerConfig): Float64Array {
  const n = config.num_train_timesteps;
  const out = new Float64Array(n);
  let product = 1;
  for (let t = 0; t < n; t++) {
    const f = n === 1 ? 0 : t / (n - 1);
    const beta =
      config.beta_schedule === 'scaled_linear'
        ? (Math.sqrt(config.beta_start) + f * (Math.sqrt(config.beta_end) - Math.sqrt(config.beta_start))) ** 2
        : config.beta_start + f * (config.beta_end - config.beta_start);
    product *= 1 - beta;
    out[t] = product;
  }
  return out;
}

/** Noise-to-signal ratio σ_t = √((1-ᾱ)/ᾱ), linearly interpolated between training timesteps. */
export function sigmaAt(alphas: Float64Array, t: number): number {
  const lo = Math.max(0, Math.min(alphas.length - 1, Math.floor(t)));
  const hi = Math.min(alphas.length - 1, lo + 1);
  const s = (i: number) => Math.sqrt((1 - alphas[i]!) / alphas[i]!);
  const w = t - lo;
  return s(lo) * (1 - w) + s(hi) * w;
}

/** One denoising step's output: the next latents (written in place) and nothing else to carry. */
export interface Scheduler {
  readonly name: 'euler' | 'lcm';
  /** Timesteps the UNet sees, from most to least noisy. */
  readonly timesteps: readonly number[];
  /** Multiplier for fresh Gaussian noise that starts text-to-image. */
  readonly initNoiseSigma: number;
  /** Noises clean latents to the level of `timesteps[0]` (image-to-image). */
  addNoise(clean: Float32Array, noise: Float32Array): Float32Array;
  /** What the UNet's `sample` input gets at step i. */
  scaleModelInput(sample: Float32Array, i: number): Float32Array;
  /** Advances `sample` by one step given the UNet output; `noise` supplies fresh draws where the sampler needs them. */
  step(modelOutput: Float32Array, sample: Float32Array, i: number, noise: (length: number) => Float32Array): Float32Array;
}
