import type { Experimental_VideoModelV3 } from '@ai-sdk/provider';
import { experimental_generateVideo as generateVideo } from 'ai';
import { z } from 'zod';
import type { Artifact } from '../../../core/artifact.ts';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { toProviderError } from '../../../engines/providers/index.ts';
import { artifactInput } from '../../../core/step-inputs.ts';

export const cloudClipInputSchema = z.object({
  prompt: z.string().min(1).max(4000),
  model: z.string().min(1).describe('provider:model, e.g. google:veo-3.0-fast-generate-001'),
  aspect: z.enum(['16:9', '9:16', '1:1']).default('16:9'),
  /** `WIDTHxHEIGHT` (Replicate's size) or a provider preset such as `720p` (fal). */
  resolution: z.string().regex(/^(\d+x\d+|\d+p)$/).optional().describe('WIDTHxHEIGHT or a preset like 720p'),
  /** An image artifact id: image-to-video from this first frame. */
  image: artifactInput(z.string().min(1)).optional().describe('first frame (image-to-video)'),
  duration: z.number().int().min(2).max(20).default(8),
  seed: z.number().int().min(0).optional(),
  /** How often to ask the provider whether the clip is ready, ms. */
  pollMs: z.number().int().min(10).max(60_000).default(10_000),
  /** Longest the whole generation may take, ms. */
  timeoutMs: z.number().int().min(100).max(3_600_000).default(1_800_000),
  /** With webhooks, how long to wait for one before polling instead, ms. */
  webhookWaitMs: z.number().int().min(10).max(3_600_000).default(900_000),
  /** Retries of one failed request (429, 5xx, dropped connection), and the first backoff, ms. */
  retries: z.number().int().min(0).max(10).default(2),
  retryBaseMs: z.number().int().min(1).max(60_000).default(1000),
});
export type CloudClipInput = z.infer<typeof cloudClipInputSchema>;
export type CloudVideoResolver = (spec: string) => Experimental_VideoModelV3;

/** The SDKs name their own poll timeouts `…_TIMEOUT`; those are Shenbi's ENGINE_TIMEOUT. */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && /_TIMEOUT$/.test(error.name);
}

/**
 * One clip from a cloud video model through the AI SDK's video interface, stored as a video
 * artifact. Shared by `video.cloud-clip` (one clip) and `video.scene-clips` (one per scene);
 * `signal` may be narrower than the job's (a sibling clip failed).
 */
export async function generateCloudClip(ctx: StepContext, resolve: CloudVideoResolver, input: CloudClipInput, signal: AbortSignal = ctx.signal): Promise<Artifact> {
  const model = resolve(input.model);
  const frame = input.image === undefined ? undefined : await ctx.readArtifact(input.image);
  if (frame !== undefined && frame.artifact.kind !== 'image') {
    throw new ShenbiError('INVALID_INPUT', `image ${input.image} is a ${frame.artifact.kind} artifact, not an image`);
  }
  const poll = { pollIntervalMs: input.pollMs, pollTimeoutMs: input.timeoutMs };
  // One deadline for the whole job (submit, waiting, polls, download); cancellation stops it too.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new ShenbiError('ENGINE_TIMEOUT', `${input.model}: no clip within ${input.timeoutMs} ms`)), input.timeoutMs);
  let result;
  try {
    result = await generateVideo({
      model,
      prompt: frame === undefined ? input.prompt : { image: new Uint8Array(frame.bytes), text: input.prompt },
      aspectRatio: input.aspect,
      duration: input.duration,
      ...(input.seed === undefined ? {} : { seed: input.seed }),
      ...(input.resolution !== undefined && /x/.test(input.resolution) ? { resolution: input.resolution as `${number}x${number}` } : {}),
      providerOptions: {
        google: { pollIntervalMs: input.pollMs },
        fal: { ...poll, ...(input.resolution === undefined ? {} : { resolution: input.resolution }) },
        replicate: poll,
        shenbi: { webhookWaitMs: input.webhookWaitMs, retries: input.retries, retryBaseMs: input.retryBaseMs },
      },
      abortSignal: AbortSignal.any([signal, deadline.signal]),
      maxRetries: 0,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (deadline.signal.aborted) throw deadline.signal.reason;
    if (isTimeout(error)) throw new ShenbiError('ENGINE_TIMEOUT', `${input.model}: ${(error as Error).message}`, { cause: error });
    throw toShenbiError(toProviderError(error, input.model), 'ENGINE_FAILED');
  } finally {
    clearTimeout(timer);
  }
  return ctx.writeArtifact({
    kind: 'video',
    mimeType: result.video.mediaType || 'video/mp4',
    bytes: result.video.uint8Array,
    name: 'clip.mp4',
    ...(input.image ? { parents: [input.image] } : {}),
    engine: { id: `cloud:${input.model.split(':')[0]}`, version: 'ai-sdk' },
    model: { name: input.model, sha256: null },
    parameters: { prompt: input.prompt, aspect: input.aspect, duration: input.duration, ...(input.resolution ? { resolution: input.resolution } : {}), ...(input.image ? { image: input.image } : {}) },
    seed: input.seed ?? null,
  });
}
