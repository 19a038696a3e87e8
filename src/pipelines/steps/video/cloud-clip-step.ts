import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { cloudClipInputSchema, generateCloudClip, type CloudVideoResolver } from './cloud-clip-generate.ts';

/**
 * A clip from a cloud video model (Google Veo, fal, Replicate; Kling and MiniMax through them) through the AI SDK's video interface. The
 * provider's long-running operation is polled in the background of this step only; other jobs
 * run meanwhile. The clip is stored as a video artifact and can be a scene in any timeline.
 */
export function cloudClipStep(resolve: CloudVideoResolver): StepDefinition {
  return {
    type: 'video.cloud-clip',
    title: 'Generate a clip (cloud)',
    version: '1',
    engine: 'cloud-video',
    // Requests are retried one by one (429/5xx); retrying the step would pay for a second clip.
    retry: { maxAttempts: 1 },
    inputs: {
      prompt: { type: 'string' },
      model: { type: 'string', description: 'provider:model, e.g. google:veo-3.0-fast-generate-001' },
      aspect: { type: 'string', optional: true, default: '16:9' },
      duration: { type: 'integer', optional: true, default: 8 },
      seed: { type: 'integer', optional: true },
      resolution: { type: 'string', optional: true, description: 'WIDTHxHEIGHT or a preset like 720p' },
      image: { type: 'artifact', optional: true, description: 'first frame (image-to-video)' },
      pollMs: { type: 'integer', optional: true, default: 10_000 },
      timeoutMs: { type: 'integer', optional: true, default: 1_800_000 },
      webhookWaitMs: { type: 'integer', optional: true, default: 900_000 },
      retries: { type: 'integer', optional: true, default: 2 },
      retryBaseMs: { type: 'integer', optional: true, default: 1000 },
    },
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(cloudClipInputSchema, Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined && v !== null)), 'video.cloud-clip input');
      ctx.progress({ fraction: 0.05, message: `asking ${input.model}` });
      const artifact = await generateCloudClip(ctx, resolve, input);
      return { video: artifact.id };
    },
  };
}
