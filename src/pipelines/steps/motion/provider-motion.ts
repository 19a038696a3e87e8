import { ShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { CLOUD_MOTION_ENGINE_INFO, generateCloudMotion, isMotionProviderSpec, type CloudMotionOptions } from '../../../engines/cloud-motion/index.ts';
import { offThreadTask, runOffThread } from '../../../workers/off-thread.ts';
import type { MadeMotion, MotionInput } from './motion-generate-step.ts';
import * as motionWork from './motion-work.ts';

const measureTask = offThreadTask(new URL('./motion-work.ts', import.meta.url), motionWork, 'measureClip');

/** `model` names a configured motion server (kind motion-http), not a text model. */
export function isMotionProviderModel(model: string, options: Omit<CloudMotionOptions, 'signal'>): boolean {
  return isMotionProviderSpec(model, options.providers);
}

/**
 * The joints from a motion server instead of synthesis: no plan exists, so none is stored; the
 * imported clip is measured like any other, and the step writes it the same way (GLB + BVH,
 * metrics, labels). Nothing is stored when the server's answer is refused.
 */
export async function askMotionProvider(ctx: StepContext, input: MotionInput, options: Omit<CloudMotionOptions, 'signal'>): Promise<MadeMotion> {
  const spec = input.model!;
  if (input.plan !== undefined || input.joints !== undefined) {
    throw new ShenbiError('INVALID_INPUT', `${spec} is a motion server: it takes a prompt, not a plan or joints (drop model to synthesise a plan, or joints to import).`);
  }
  if (input.prompt === '') throw new ShenbiError('INVALID_INPUT', `motion.generate with ${spec} needs a prompt.`);
  ctx.progress({ fraction: 0.05, message: `asking ${spec}` });
  const result = await generateCloudMotion(spec, { prompt: input.prompt, fps: input.fps, seed: input.seed }, { ...options, signal: ctx.signal });
  ctx.progress({ fraction: 0.5, message: `${spec} answered ${result.clip.frameCount} frames at ${result.clip.fps} fps; measuring` });
  const metrics = await runOffThread(measureTask, [result.clip], { signal: ctx.signal });
  const provider = spec.split(':')[0]!;
  return {
    source: 'provider',
    clip: result.clip,
    metrics,
    parents: [],
    warnings: [],
    textModel: { name: spec, sha256: null },
    engine: { id: `${CLOUD_MOTION_ENGINE_INFO.id}:${provider}`, version: CLOUD_MOTION_ENGINE_INFO.version },
    provenance: { prompt: input.prompt, providerRequestId: result.requestId, delivery: result.delivery },
  };
}
