import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import * as conversion from '../../../engines/cloud-3d/convert.ts';
import { offThreadTask, runOffThread } from '../../../workers/off-thread.ts';
import { CLOUD_3D_ENGINE_INFO, generateCloud3d, MODEL_MAX_BYTES_CEILING, toCloud3dImage, type Cloud3dOptions, type Cloud3dRequest, type Cloud3dResult } from '../../../engines/cloud-3d/index.ts';
import { MODEL_FORMATS, MODEL_MIME_TYPES } from '../../../engines/scene3d/types.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { present } from '../present-inputs.ts';
import { modelPreviews } from './model-previews.ts';

// Rewriting a provider's model between GLB and glTF is CPU work: on the worker pool.
const convertTask = offThreadTask(new URL('../../../engines/cloud-3d/convert.ts', import.meta.url), conversion, 'convertModel');

const inputSchema = z.object({
  model: z.string().min(1).max(300).describe('provider:model, e.g. meshy:latest, tripo:default, rodin:Gen-2, fal:fal-ai/trellis'),
  prompt: z.string().trim().min(1).max(4_000).optional().describe('What the object is (text-to-3D).'),
  image: z.string().min(1).max(4_096).optional().describe('A picture of the object (image-to-3D): an artifact id, upload id, URL or file path.'),
  /** Every format the task offers is named here, so those this step cannot make are refused with a reason (below). */
  format: z.enum(MODEL_FORMATS).default('glb').describe('glb | gltf (STL, 3MF and USDZ come from the local engine).'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** A PNG view of the model, drawn here (headless Chromium) rather than trusted from the provider. */
  thumbnail: z.boolean().default(true).describe('A PNG view of the model (needs Chromium; skipped with a warning without it).'),
  pollMs: z.number().int().min(10).max(60_000).optional().describe('First poll interval, ms (default 5000).'),
  /** Longest the whole generation may take (submit, queue, polls, download), ms. */
  timeoutMs: z.number().int().min(100).max(3_600_000).default(1_800_000),
  maxMegabytes: z.number().int().min(1).max(MODEL_MAX_BYTES_CEILING / (1024 * 1024)).optional().describe('Largest model file accepted, MB (default 200).'),
});

/** Where cloud 3D options come from: the configured providers (and, in tests, env, poll and retry timing). */
export type CloudModel3dStepOptions = Omit<Cloud3dOptions, 'signal'>;

/**
 * A 3D model from a cloud provider (Meshy, Tripo, Hyper3D Rodin, fal TRELLIS/Hunyuan3D,
 * Replicate TRELLIS), from words or from a picture. The provider's file is parsed as glTF
 * with at least one mesh before anything is stored (a wrong, truncated or oversized file is
 * refused), rewritten as glTF if asked, and stored as a model3d artifact that governance labels.
 */
export function cloudModel3dStep(options: () => CloudModel3dStepOptions, media: MediaPolicy): StepDefinition {
  return {
    type: 'model3d.cloud',
    title: 'Make a 3D model (cloud)',
    description: 'Text- or image-to-3D from a cloud model (meshy:latest, tripo:default, rodin:Gen-2, fal:fal-ai/trellis, replicate:firtoz/trellis:<version>), checked and labeled.',
    version: '1',
    engine: 'cloud-3d',
    // Requests are retried one by one (429/5xx); retrying the step would pay for a second model.
    retry: { maxAttempts: 1 },
    inputs: inputPorts(inputSchema),
    outputs: { model: { type: 'artifact' }, thumbnail: { type: 'artifact', optional: true } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'model3d.cloud input');
      if (input.format === 'stl' || input.format === '3mf') {
        throw new ShenbiError('INVALID_INPUT', `model3d.cloud stores glb or gltf; ${input.format} comes from the local engine (model3d.generate), whose solids are checked watertight`, { hint: 'Use format glb or gltf with a cloud model.' });
      }
      if (input.format === 'usdz') {
        throw new ShenbiError('INVALID_INPUT', 'model3d.cloud stores glb or gltf; usdz comes from the local engine (model3d.generate)', { hint: 'Use format glb or gltf with a cloud model.' });
      }
      if (!input.prompt && !input.image) throw new ShenbiError('INVALID_INPUT', 'model3d.cloud needs a prompt or an image');
      const request: Cloud3dRequest = { prompt: input.prompt, seed: input.seed };
      let parents: string[] = [];
      if (input.image) {
        const read = await readMediaInput(ctx, input.image, media, 'image');
        request.image = toCloud3dImage(read.bytes, read.name);
        parents = read.parents;
      }
      ctx.progress({ fraction: 0.05, message: `asking ${input.model}` });
      const defaults = options();
      // One deadline for the whole job; cancellation stops it too.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new ShenbiError('ENGINE_TIMEOUT', `${input.model}: no model within ${input.timeoutMs} ms`)), input.timeoutMs);
      const signal = AbortSignal.any([ctx.signal, deadline.signal]);
      let result: Cloud3dResult;
      try {
        result = await generateCloud3d(input.model, request, {
          ...defaults,
          signal,
          pollMs: input.pollMs ?? defaults.pollMs,
          timeoutMs: Math.min(input.timeoutMs, defaults.timeoutMs ?? input.timeoutMs),
          ...(input.maxMegabytes === undefined ? {} : { maxBytes: input.maxMegabytes * 1024 * 1024 }),
        });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (deadline.signal.aborted) throw deadline.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      } finally {
        clearTimeout(timer);
      }
      ctx.progress({ fraction: 0.9, message: 'storing the checked model' });
      const bytes = await runOffThread(convertTask, [result.bytes, result.format, input.format], { signal: ctx.signal });
      const provider = input.model.split(':')[0]!;
      const artifact = await ctx.writeArtifact({
        kind: 'model3d',
        mimeType: MODEL_MIME_TYPES[input.format],
        bytes: Buffer.from(bytes),
        name: `model.${input.format}`,
        ...(parents.length > 0 ? { parents } : {}),
        engine: { id: `${CLOUD_3D_ENGINE_INFO.id}:${provider}`, version: CLOUD_3D_ENGINE_INFO.version },
        model: { name: input.model, sha256: null },
        parameters: { prompt: input.prompt ?? null, image: input.image === undefined ? null : parents[0] ?? 'user-image', format: input.format, providerRequestId: result.requestId, providerFormat: result.format, meshes: result.meshes },
        seed: input.seed ?? null,
      });
      const outputs: { model: string; thumbnail?: string } = { model: artifact.id };
      if (input.thumbnail) {
        // The renderer reads GLB, whatever format was stored.
        const previews = await modelPreviews(ctx, await runOffThread(convertTask, [result.bytes, result.format, 'glb'], { signal: ctx.signal }), false);
        if (previews !== undefined) {
          const thumbnail = await ctx.writeArtifact({ kind: 'image', mimeType: 'image/png', bytes: Buffer.from(previews.thumbnail), name: 'model.png', parents: [artifact.id], engine: { id: `${CLOUD_3D_ENGINE_INFO.id}:${provider}`, version: CLOUD_3D_ENGINE_INFO.version }, model: { name: input.model, sha256: null }, parameters: { view: 'start' }, seed: input.seed ?? null });
          outputs.thumbnail = thumbnail.id;
        }
      }
      return outputs;
    },
  };
}
