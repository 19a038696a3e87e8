import { ShenbiError } from '../../core/errors.ts';
import { alphasCumprod, type Scheduler, type SchedulerConfig } from './noise-schedule.ts';

/**
 * Latent Consistency Model sampler (diffusers' LCMScheduler): each step predicts the clean latents
 * through the consistency boundary condition, then re-noises them to the next (earlier) timestep.
 */
export function lcmScheduler(config: SchedulerConfig, steps: number, strength = 1): Scheduler {
  const alphas = alphasCumprod(config);
  const n = config.num_train_timesteps;
  const original = config.original_inference_steps;
  if (steps > original) throw new ShenbiError('INVALID_INPUT', `an LCM model takes at most ${original} steps (got ${steps})`);
  // The teacher's timesteps, scaled by strength, newest first; then `steps` of them evenly.
  const ratio = Math.floor(n / original);
  const originSteps = Math.floor(original * strength);
  if (originSteps < 1) throw new ShenbiError('INVALID_INPUT', `strength ${strength} leaves no LCM timesteps`);
  const origin = Array.from({ length: originSteps }, (_, i) => (i + 1) * ratio - 1).reverse();
  const count = Math.min(steps, origin.length);
  const timesteps = Array.from({ length: count }, (_, i) => origin[Math.floor((i * origin.length) / count)]!);
  const alphaAt = (t: number) => (t >= 0 ? alphas[t]! : config.set_alpha_to_one ? 1 : alphas[0]!);
  return {
    name: 'lcm',
    timesteps,
    initNoiseSigma: 1,
    addNoise(clean, noise) {
      const a = alphaAt(timesteps[0]!);
      const out = new Float32Array(clean.length);
      for (let i = 0; i < clean.length; i++) out[i] = Math.sqrt(a) * clean[i]! + Math.sqrt(1 - a) * noise[i]!;
      return out;
    },
    scaleModelInput: (sample) => sample,
    step(eps, sample, i, noise) {
      const t = timesteps[i]!;
      const last = i === timesteps.length - 1;
      const prev = last ? t : timesteps[i + 1]!;
      const a = alphaAt(t);
      const aPrev = alphaAt(prev);
      const scaledT = t * config.timestep_scaling;
      const cSkip = 0.25 / (scaledT ** 2 + 0.25);
      const cOut = scaledT / Math.sqrt(scaledT ** 2 + 0.25);
      const v = config.prediction_type === 'v_prediction';
      const out = new Float32Array(sample.length);
      for (let k = 0; k < sample.length; k++) {
        const x = sample[k]!;
        const x0 = v ? Math.sqrt(a) * x - Math.sqrt(1 - a) * eps[k]! : (x - Math.sqrt(1 - a) * eps[k]!) / Math.sqrt(a);
        out[k] = cOut * x0 + cSkip * x;
      }
      if (last) return out;
      const z = noise(out.length);
      for (let k = 0; k < out.length; k++) out[k] = Math.sqrt(aPrev) * out[k]! + Math.sqrt(1 - aPrev) * z[k]!;
      return out;
    },
  };
}
