import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { schedulerConfigSchema, type SchedulerConfig } from './noise-schedule.ts';

/** The ONNX parts of a diffusers/optimum Stable Diffusion export, each `<part>/model.onnx`. */
export const DIFFUSION_PARTS = ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder'] as const;
export type DiffusionPart = (typeof DIFFUSION_PARTS)[number];

/** SD 1.x/2.x latent scale; a `vae_decoder/config.json` with `scaling_factor` overrides it (SDXL: 0.13025). */
export const SD_VAE_SCALING_FACTOR = 0.18215;

const modelIndexSchema = z.object({ _class_name: z.string().optional(), scheduler: z.tuple([z.string().nullable(), z.string().nullable()]).optional() }).loose();
const vaeConfigSchema = z.object({ scaling_factor: z.number().positive().optional() }).loose();

export interface DiffusionModelLayout {
  dir: string;
  /** The sampler the model was distilled for: LCM models say LCMScheduler in model_index.json. */
  scheduler: 'euler' | 'lcm';
  schedulerConfig: SchedulerConfig;
  vaeScalingFactor: number;
  partPath(part: DiffusionPart): string;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('MODEL_INVALID', `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Required files are present (text-to-image needs all but vae_encoder); configs parse. */
export async function readModelLayout(dir: string, options: { needEncoder?: boolean } = {}): Promise<DiffusionModelLayout> {
  const partPath = (part: DiffusionPart) => join(dir, part, 'model.onnx');
  const required = [join(dir, 'tokenizer', 'vocab.json'), join(dir, 'tokenizer', 'merges.txt'), partPath('text_encoder'), partPath('unet'), partPath('vae_decoder')];
  if (options.needEncoder) required.push(partPath('vae_encoder'));
  const missing: string[] = [];
  for (const file of required) {
    try {
      await access(file);
    } catch {
      missing.push(file);
    }
  }
  if (missing.length > 0) {
    throw new ShenbiError('MODEL_NOT_INSTALLED', `diffusion model in ${dir} is incomplete: missing ${missing.join(', ')}`, {
      details: { dir, missing },
      hint: 'A diffusion model is a diffusers/optimum ONNX export folder: model_index.json, tokenizer/, text_encoder/, unet/, vae_decoder/ (and vae_encoder/ for image-to-image).',
    });
  }
  const index = modelIndexSchema.safeParse((await readJson(join(dir, 'model_index.json'))) ?? {});
  const schedulerJson = (await readJson(join(dir, 'scheduler', 'scheduler_config.json'))) ?? {};
  const parsedScheduler = schedulerConfigSchema.safeParse(schedulerJson);
  if (!parsedScheduler.success) throw new ShenbiError('MODEL_INVALID', `${join(dir, 'scheduler', 'scheduler_config.json')}: ${parsedScheduler.error.message}`);
  const className = parsedScheduler.data._class_name ?? (index.success ? index.data.scheduler?.[1] ?? undefined : undefined) ?? '';
  const vae = vaeConfigSchema.safeParse((await readJson(join(dir, 'vae_decoder', 'config.json'))) ?? {});
  return {
    dir,
    scheduler: /lcm/i.test(className) ? 'lcm' : 'euler',
    schedulerConfig: parsedScheduler.data,
    vaeScalingFactor: (vae.success ? vae.data.scaling_factor : undefined) ?? SD_VAE_SCALING_FACTOR,
    partPath,
  };
}
