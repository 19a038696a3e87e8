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
export const dimension = z
  .number()
  .int()
  .min(64)
  .max(4096)
  .refine((n) => n % 8 === 0, 'must be a multiple of 8');
