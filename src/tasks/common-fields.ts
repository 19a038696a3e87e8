import { z } from 'zod';

/** Shared field schemas, so every task spells the same idea the same way. */
export const prompt = z.string().trim().min(1, 'must not be empty').max(100_000);
export const seed = z.number().int().min(0).max(2 ** 32 - 1).optional();
/** A catalog or installed model name, e.g. `qwen2.5-0.5b-instruct-q4`. */
export const modelName = z.string().min(1).max(200).optional();
/** An artifact id (`art_…`) or a local file path. */
export const mediaRef = z.string().min(1).max(4096);
export const language = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP-47 language tag such as "en" or "zh-CN"');
export const durationSec = (max: number) => z.number().positive().max(max);
/** A picture side in pixels. Generators' own rules (diffusion's multiple of 8) are checked where they apply: see `generationSizeIssues`. */
export const dimension = z.number().int().min(1).max(16_384);

/**
 * Diffusion works on latents an eighth of the picture's size, so generated pictures need
 * sides that are multiples of 8 within 64–4096. Picture operations (resize, crop…) take any size.
 */
export function generationSizeIssues(value: { width?: unknown; height?: unknown }): { path: ['width' | 'height']; message: string }[] {
  const issues: { path: ['width' | 'height']; message: string }[] = [];
  for (const field of ['width', 'height'] as const) {
    const n = value[field];
    if (typeof n !== 'number' || !Number.isInteger(n)) continue;
    if (n < 64 || n > 4096) issues.push({ path: [field], message: 'must be from 64 to 4096 to generate a picture' });
    else if (n % 8 !== 0) issues.push({ path: [field], message: 'must be a multiple of 8' });
  }
  return issues;
}
