import { z } from 'zod';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { cloudClipInputSchema, generateCloudClip, type CloudVideoResolver } from './cloud-clip-generate.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import { present } from '../present-inputs.ts';

const inputSchema = cloudClipInputSchema
  .omit({ prompt: true, image: true, model: true })
  .extend({
    script: z.object({ title: z.string(), scenes: z.array(z.object({ narration: z.string(), caption: z.string() })).min(1).max(50) }),
    /** No model: no clips (the narrated video draws its own backgrounds). */
    model: z.string().min(1).optional().describe('provider:model; absent: no clips'),
    /** Words added to every scene's prompt (a look shared by all clips). */
    style: z.string().max(500).optional(),
    duration: z.number().int().min(2).max(20).default(5),
    /** Clips asked for at once; the provider queues them, so this bounds spend in flight. */
    parallel: z.number().int().min(1).max(8).default(3),
  });

/** What a cloud model is asked to show for one scene: its narration, its caption if none. */
export function scenePrompt(scene: { narration: string; caption: string }, style?: string): string {
  const text = (scene.narration.trim() || scene.caption.trim()).slice(0, 3500);
  return style ? `${text}\n\nStyle: ${style.trim()}` : text;
}

/**
 * A cloud clip per script scene, in scene order, for `video.narrated`'s `clips`. The pipeline
 * graph has no fan-out over a list, and a fixed number of optional clip steps would cap the
 * scene count and repeat itself in every recipe; one step that asks per scene keeps the
 * graph static while the clip count follows the script. The first failure stops the rest.
 */
export function sceneClipsStep(resolve: CloudVideoResolver): StepDefinition {
  return {
    type: 'video.scene-clips',
    title: 'A cloud clip per scene',
    description: 'Asks a cloud video model for one clip per script scene (its narration as the prompt).',
    version: '1',
    engine: 'cloud-video',
    // Retrying the step would pay for every clip again; requests are retried one by one.
    retry: { maxAttempts: 1 },
    inputs: inputPorts(inputSchema),
    outputs: { clips: { type: 'json', description: 'video artifact ids, one per scene' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'video.scene-clips input');
      const { script, model, style, parallel, ...shared } = input;
      if (model === undefined) return { clips: [] };
      const scenes = script.scenes;
      const clips: string[] = new Array<string>(scenes.length);
      const stop = new AbortController();
      const signal = AbortSignal.any([ctx.signal, stop.signal]);
      let next = 0;
      let done = 0;
      const worker = async (): Promise<void> => {
        while (next < scenes.length && !signal.aborted) {
          const i = next++;
          const clip = await generateCloudClip(ctx, resolve, { ...shared, model, prompt: scenePrompt(scenes[i]!, style), ...(shared.seed === undefined ? {} : { seed: shared.seed + i }) }, signal);
          clips[i] = clip.id;
          ctx.progress({ fraction: ++done / scenes.length, message: `clip ${done} of ${scenes.length}` });
        }
      };
      ctx.progress({ fraction: 0.02, message: `asking ${model} for ${scenes.length} clips` });
      try {
        await Promise.all(Array.from({ length: Math.min(parallel, scenes.length) }, async () => {
          try {
            await worker();
          } catch (error) {
            stop.abort(error);
            throw error;
          }
        }));
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw stop.signal.reason ?? error;
      }
      return { clips };
    },
  };
}
