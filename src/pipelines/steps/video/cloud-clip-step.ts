import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { cloudClipInputSchema, generateCloudClip, type CloudVideoResolver } from './cloud-clip-generate.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import { present } from '../present-inputs.ts';

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
    inputs: inputPorts(cloudClipInputSchema),
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(cloudClipInputSchema, present(inputs), 'video.cloud-clip input');
      ctx.progress({ fraction: 0.05, message: `asking ${input.model}` });
      const artifact = await generateCloudClip(ctx, resolve, input);
      return { video: artifact.id };
    },
  };
}
