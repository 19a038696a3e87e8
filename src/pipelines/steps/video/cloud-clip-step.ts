import type { Experimental_VideoModelV3 } from '@ai-sdk/provider';
import { experimental_generateVideo as generateVideo } from 'ai';
import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { toProviderError } from '../../../engines/providers/index.ts';

const inputSchema = z.object({
  prompt: z.string().min(1).max(4000),
  model: z.string().min(1),
  aspect: z.enum(['16:9', '9:16']).default('16:9'),
  duration: z.number().int().min(2).max(20).default(8),
  seed: z.number().int().min(0).optional(),
  /** How often to ask the provider whether the clip is ready, ms. */
  pollMs: z.number().int().min(10).max(60_000).default(10_000),
});

/**
 * A clip from a cloud video model (Google Veo, …) through the AI SDK's video interface. The
 * provider's long-running operation is polled in the background of this step only; other jobs
 * run meanwhile. The clip is stored as a video artifact and can be a scene in any timeline.
 */
export function cloudClipStep(resolve: (spec: string) => Experimental_VideoModelV3): StepDefinition {
  return {
    type: 'video.cloud-clip',
    title: 'Generate a clip (cloud)',
    version: '1',
    engine: 'cloud-video',
    inputs: {
      prompt: { type: 'string' },
      model: { type: 'string', description: 'provider:model, e.g. google:veo-3.0-fast-generate-001' },
      aspect: { type: 'string', optional: true, default: '16:9' },
      duration: { type: 'integer', optional: true, default: 8 },
      seed: { type: 'integer', optional: true },
      pollMs: { type: 'integer', optional: true, default: 10_000 },
    },
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined && v !== null)), 'video.cloud-clip input');
      const model = resolve(input.model);
      ctx.progress({ fraction: 0.05, message: `asking ${input.model}` });
      let result;
      try {
        result = await generateVideo({
          model,
          prompt: input.prompt,
          aspectRatio: input.aspect,
          duration: input.duration,
          ...(input.seed === undefined ? {} : { seed: input.seed }),
          providerOptions: { google: { pollIntervalMs: input.pollMs } },
          abortSignal: ctx.signal,
          maxRetries: 0,
        });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(toProviderError(error, input.model), 'ENGINE_FAILED');
      }
      const artifact = await ctx.writeArtifact({
        kind: 'video',
        mimeType: result.video.mediaType || 'video/mp4',
        bytes: result.video.uint8Array,
        name: 'clip.mp4',
        engine: { id: `cloud:${input.model.split(':')[0]}`, version: 'ai-sdk' },
        model: { name: input.model, sha256: null },
        parameters: { aspect: input.aspect, duration: input.duration },
        seed: input.seed ?? null,
      });
      return { video: artifact.id };
    },
  };
}
