import { ShenbiError } from '../../core/errors.ts';
import { alphasCumprod, sigmaAt, type Scheduler, type SchedulerConfig } from './noise-schedule.ts';

/** Training timesteps for `steps` inference steps, spaced as diffusers' `timestep_spacing` says. */
export function spacedTimesteps(config: SchedulerConfig, steps: number): number[] {
  const n = config.num_train_timesteps;
  if (config.timestep_spacing === 'trailing') {
    // SD-Turbo: the first step starts at the very last training timestep (999 for one step).
    const ratio = n / steps;
    return Array.from({ length: steps }, (_, i) => Math.round(n - i * ratio) - 1);
  }
  if (config.timestep_spacing === 'leading') {
    const ratio = Math.floor(n / steps);
    return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + config.steps_offset);
  }
  return Array.from({ length: steps }, (_, i) => (steps === 1 ? n - 1 : (n - 1) * (1 - i / (steps - 1))));
}

/**
 * Euler discrete sampler (diffusers' EulerDiscreteScheduler without churn), the one SD-Turbo ships
 * with: x ← x + (x - x̂₀)/σ · (σ_next - σ). `strength` < 1 keeps only the last part of the schedule.
 */
export function eulerScheduler(config: SchedulerConfig, steps: number, strength = 1): Scheduler {
  const alphas = alphasCumprod(config);
  const all = spacedTimesteps(config, steps);
  const keep = Math.min(steps, Math.floor(steps * strength));
  if (keep < 1) throw new ShenbiError('INVALID_INPUT', `steps × strength must be at least 1 (got ${steps} × ${strength})`, { hint: 'Raise steps or strength.' });
  const timesteps = all.slice(steps - keep);
  const sigmas = [...timesteps.map((t) => sigmaAt(alphas, t)), 0];
  const maxSigma = sigmaAt(alphas, all[0]!);
  const scaled = (values: Float32Array, factor: number) => {
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i]! * factor;
    return out;
  };
  return {
    name: 'euler',
    timesteps,
    initNoiseSigma: config.timestep_spacing === 'leading' ? Math.sqrt(maxSigma ** 2 + 1) : maxSigma,
    addNoise(clean, noise) {
      const sigma = sigmas[0]!;
      const out = new Float32Array(clean.length);
      for (let i = 0; i < clean.length; i++) out[i] = clean[i]! + noise[i]! * sigma;
      return out;
    },
    scaleModelInput: (sample, i) => scaled(sample, 1 / Math.sqrt(sigmas[i]! ** 2 + 1)),
    step(eps, sample, i) {
      const sigma = sigmas[i]!;
      const dt = sigmas[i + 1]! - sigma;
      const out = new Float32Array(sample.length);
      const v = config.prediction_type === 'v_prediction';
      const c = 1 / (sigma ** 2 + 1);
      for (let k = 0; k < sample.length; k++) {
        const x = sample[k]!;
        const x0 = v ? eps[k]! * (-sigma * Math.sqrt(c)) + x * c : x - sigma * eps[k]!;
        out[k] = x + ((x - x0) / sigma) * dt;
      }
      return out;
    },
  };
}
