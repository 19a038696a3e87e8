import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { EngineInfo } from '../engine-info.ts';
import { ClipTokenizer } from './clip-tokenizer.ts';
import { DIFFUSION_SIZES, diffusionRequestSchema, type DiffusionProgress, type DiffusionRequest, type DiffusionResult } from './diffusion-request.ts';
import { eulerScheduler } from './euler-scheduler.ts';
import { GaussianNoise } from './gaussian-noise.ts';
import { guidanceEmbedding } from './guidance-embedding.ts';
import { imageToTensor, decodedToPng } from './image-tensors.ts';
import { lcmScheduler } from './lcm-scheduler.ts';
import { readModelLayout } from './model-dir.ts';
import { fixedBatch, floatTensor, hasInput, lastDim, readFloat, requireIo, timestepTensor } from './onnx-io.ts';
import { acquireSessions } from './session-cache.ts';

export const DIFFUSION_ENGINE_INFO: EngineInfo = {
  id: 'shenbi-diffusion',
  version: '1 (onnxruntime-node 1.30.0)',
  tasks: ['image'],
  local: true,
  license: 'Apache-2.0 (engine); the model folder carries its own licence',
  description: 'Stable-Diffusion-family text-to-image and image-to-image on CPU from diffusers/optimum ONNX exports (SD-Turbo, LCM).',
};

export interface DiffusionOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DiffusionProgress) => void;
}

const tokenizers = new Map<string, Promise<ClipTokenizer>>();

function tokenizerFor(dir: string): Promise<ClipTokenizer> {
  let found = tokenizers.get(dir);
  if (!found) {
    if (tokenizers.size >= 4) tokenizers.delete(tokenizers.keys().next().value!);
    found = ClipTokenizer.fromDir(join(dir, 'tokenizer'));
    tokenizers.set(dir, found);
    found.catch(() => tokenizers.delete(dir));
  }
  return found;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * One image from a Stable-Diffusion-family ONNX export: CLIP text encoding, a few UNet steps
 * under Euler or LCM (with classifier-free guidance when asked), VAE decode, PNG. Same seed and
 * inputs give the same bytes. Cancellation is checked before every network run.
 */
export async function generateDiffusionImage(request: DiffusionRequest, options: DiffusionOptions = {}): Promise<DiffusionResult> {
  const started = performance.now();
  const input = parseOrThrow(diffusionRequestSchema, request, 'diffusion request');
  for (const [name, value] of [['width', input.width], ['height', input.height]] as const) {
    if (!DIFFUSION_SIZES.includes(value)) {
      throw new ShenbiError('INVALID_INPUT', `${name} ${value} is not supported: use a multiple of 64 from 256 to 1024 (${DIFFUSION_SIZES.join(', ')})`, {
        details: { field: name, value, allowed: DIFFUSION_SIZES },
      });
    }
  }
  const signal = options.signal;
  signal?.throwIfAborted();
  const img2img = input.initImage !== undefined;
  const layout = await readModelLayout(input.modelDir, { needEncoder: img2img });
  const tokenizer = await tokenizerFor(input.modelDir);
  const schedulerName = input.scheduler ?? layout.scheduler;
  const steps = input.steps ?? (schedulerName === 'lcm' ? 4 : img2img ? 2 : 1);
  const strength = img2img ? input.strength : 1;
  const scheduler = schedulerName === 'lcm' ? lcmScheduler(layout.schedulerConfig, steps, strength) : eulerScheduler(layout.schedulerConfig, steps, strength);

  const sessions = acquireSessions(layout);
  try {
    const textEncoder = await sessions.session('text_encoder');
    requireIo(textEncoder, 'text encoder', layout.partPath('text_encoder'), ['input_ids'], ['last_hidden_state']);
    const unet = await sessions.session('unet');
    requireIo(unet, 'UNet', layout.partPath('unet'), ['sample', 'timestep', 'encoder_hidden_states'], ['out_sample']);
    const embeddedGuidance = hasInput(unet, 'timestep_cond');
    const guidanceScale = input.guidanceScale ?? (embeddedGuidance ? 8 : 0);
    const cfg = guidanceScale > 1 && !embeddedGuidance;

    const t0 = performance.now();
    const idsType = textEncoder.inputMetadata.find((m) => m.name === 'input_ids');
    const encode = async (text: string) => {
      const { ids, truncated } = tokenizer.encode(text);
      const wantsInt64 = idsType?.isTensor === true && idsType.type === 'int64';
      const tensor = wantsInt64 ? new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]) : new ort.Tensor('int32', ids, [1, ids.length]);
      const out = await textEncoder.run({ input_ids: tensor });
      const hidden = out.last_hidden_state!;
      return { hidden: readFloat(hidden, 'last_hidden_state'), width: Number(hidden.dims[2]), truncated };
    };
    const cond = await encode(input.prompt);
    const uncond = cfg ? await encode(input.negativePrompt) : undefined;
    const textMs = performance.now() - t0;

    const h = input.height / 8;
    const w = input.width / 8;
    const size = 4 * h * w;
    const noise = new GaussianNoise(input.seed);
    let vaeMs = 0;
    let latents: Float32Array;
    if (img2img) {
      signal?.throwIfAborted();
      const t1 = performance.now();
      const encoder = await sessions.session('vae_encoder');
      const output = encoder.outputNames.includes('latent_sample') ? 'latent_sample' : 'latent_parameters';
      requireIo(encoder, 'VAE encoder', layout.partPath('vae_encoder'), ['sample'], [output]);
      const pixels = await imageToTensor(input.initImage!, input.width, input.height);
      const encoded = await encoder.run({ sample: floatTensor(encoder, 'sample', pixels, [1, 3, input.height, input.width]) });
      // latent_parameters carries mean then log-variance: the mean is the deterministic encoding.
      const mean = readFloat(encoded[output], output).subarray(0, size);
      const clean = new Float32Array(size);
      for (let i = 0; i < size; i++) clean[i] = mean[i]! * layout.vaeScalingFactor;
      latents = scheduler.addNoise(clean, noise.fill(size));
      vaeMs += performance.now() - t1;
    } else {
      latents = noise.fill(size, scheduler.initNoiseSigma);
    }

    const t2 = performance.now();
    const dims = [1, 4, h, w];
    const ctx = (hidden: Float32Array, batch: number) => floatTensor(unet, 'encoder_hidden_states', hidden, [batch, 77, cond.width]);
    const condTensor = ctx(cond.hidden, 1);
    const batched = cfg && fixedBatch(unet, 'sample') !== 1;
    const pairTensor = batched ? ctx(concat(uncond!.hidden, cond.hidden), 2) : undefined;
    const uncondTensor = cfg && !batched ? ctx(uncond!.hidden, 1) : undefined;
    const extra: Record<string, ort.Tensor> = {};
    if (embeddedGuidance) {
      const dim = lastDim(unet, 'timestep_cond', 256);
      extra.timestep_cond = floatTensor(unet, 'timestep_cond', guidanceEmbedding(guidanceScale, dim), [1, dim]);
    }
    const total = scheduler.timesteps.length;
    for (let i = 0; i < total; i++) {
      signal?.throwIfAborted();
      const modelInput = scheduler.scaleModelInput(latents, i);
      const timestep = timestepTensor(unet, scheduler.timesteps[i]!);
      let eps: Float32Array;
      if (!cfg) {
        eps = readFloat((await unet.run({ sample: floatTensor(unet, 'sample', modelInput, dims), timestep, encoder_hidden_states: condTensor, ...extra })).out_sample, 'out_sample');
      } else {
        let both: Float32Array;
        if (batched) {
          both = readFloat((await unet.run({ sample: floatTensor(unet, 'sample', concat(modelInput, modelInput), [2, 4, h, w]), timestep, encoder_hidden_states: pairTensor! })).out_sample, 'out_sample');
        } else {
          const sample = floatTensor(unet, 'sample', modelInput, dims);
          const u = readFloat((await unet.run({ sample, timestep, encoder_hidden_states: uncondTensor! })).out_sample, 'out_sample');
          const c = readFloat((await unet.run({ sample, timestep, encoder_hidden_states: condTensor })).out_sample, 'out_sample');
          both = concat(u, c);
        }
        eps = new Float32Array(size);
        for (let k = 0; k < size; k++) eps[k] = both[k]! + guidanceScale * (both[size + k]! - both[k]!);
      }
      latents = scheduler.step(eps, latents, i, (length) => noise.fill(length));
      options.onProgress?.({ step: i + 1, total });
    }
    const unetMs = performance.now() - t2;

    signal?.throwIfAborted();
    const t3 = performance.now();
    const decoder = await sessions.session('vae_decoder');
    requireIo(decoder, 'VAE decoder', layout.partPath('vae_decoder'), ['latent_sample'], ['sample']);
    const scaled = new Float32Array(size);
    for (let i = 0; i < size; i++) scaled[i] = latents[i]! / layout.vaeScalingFactor;
    const decoded = await decoder.run({ latent_sample: floatTensor(decoder, 'latent_sample', scaled, dims) });
    const png = await decodedToPng(readFloat(decoded.sample, 'sample'), input.width, input.height);
    vaeMs += performance.now() - t3;
    return {
      png,
      width: input.width,
      height: input.height,
      seed: input.seed,
      steps: total,
      scheduler: scheduler.name,
      guidanceScale,
      truncated: cond.truncated,
      timesteps: [...scheduler.timesteps],
      timings: { textMs, unetMs, vaeMs, totalMs: performance.now() - started },
    };
  } finally {
    sessions.release();
  }
}
