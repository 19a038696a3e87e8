import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../../core/errors.ts';
import { isModelName } from '../../../models/model-name.ts';
import type { JobCaller } from '../../../core/job-caller.ts';
import { allowedPath } from '../local-media-path.ts';

/** A diffusion model folder the step may load, and the name provenance records. */
export interface DiffusionModelDir {
  dir: string;
  name: string;
}

/** `caller`: a job that may not read local files may name installed models only, never a folder. */
export type DiffusionModelResolver = (model: string, caller: JobCaller) => Promise<DiffusionModelDir>;

/** A folder path (anything with a slash or a leading dot) rather than an installed model name. */
export function isModelPath(model: string): boolean {
  return model.includes('/') || model.includes('\\') || model.startsWith('.');
}

/**
 * Diffusion models are folders (the diffusers/optimum ONNX export), not single files: a name
 * is `<modelsDir>/<name>/`; a path must lie inside the models folder or a media root, so a
 * request cannot make the server load ONNX files from anywhere on disk.
 */
export function createDiffusionModelResolver(options: { modelsDir: string; mediaRoots: readonly string[] }): DiffusionModelResolver {
  return async (model, caller) => {
    if (isModelPath(model)) {
      const dir = await allowedPath(model, { roots: [options.modelsDir, ...options.mediaRoots], caller, what: 'model' }).catch((error: unknown) => {
        if (error instanceof ShenbiError && error.code === 'MEDIA_INVALID') {
          throw new ShenbiError('MODEL_NOT_INSTALLED', `no diffusion model folder at ${model}`, { cause: error, details: { model } });
        }
        throw error;
      });
      return { dir, name: model };
    }
    if (!isModelName(model)) throw new ShenbiError('INVALID_INPUT', `${JSON.stringify(model)} is not a model name or folder path`);
    const dir = join(options.modelsDir, model);
    const found = await stat(dir).catch(() => undefined);
    if (!found?.isDirectory()) {
      throw new ShenbiError('MODEL_NOT_INSTALLED', `no diffusion model named ${model} in ${options.modelsDir}`, {
        details: { model, modelsDir: options.modelsDir },
        hint: `Put a diffusers/optimum ONNX export (model_index.json, tokenizer/, text_encoder/, unet/, vae_decoder/) in ${dir}, or pass its folder path as the model.`,
      });
    }
    return { dir, name: model };
  };
}
