import { z } from 'zod';
import { mediaRef, modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const motionTask = defineTask({
  kind: 'motion',
  title: 'Motion',
  description: 'Text-to-motion on a standard humanoid skeleton: an action plan (rule-based, or Action-GPT expansion by a text model) synthesised with planted feet, as GLB (mannequin or your rig) and BVH, with plausibility metrics.',
  primaryField: 'prompt',
  outputs: ['motion', 'json'],
  input: z
    .object({
      /** What the body does, in plain Chinese or English: "向前走三步然后挥手", "walk forward 3 m, turn left, wave". */
      prompt: prompt.optional(),
      /** A stored action plan (art_…) or its JSON (text or object), synthesised as it is: edit and render again. */
      plan: z.union([z.string().min(1).max(2_000_000), z.record(z.string(), z.unknown())]).optional(),
      /** glb: a skinned mannequin (or your rig) with the BVH stored beside it; bvh: the skeleton only. */
      format: z.enum(['glb', 'bvh']).default('glb'),
      fps: z.number().int().min(20).max(60).default(30),
      seed,
      /** A text model that expands the prompt and writes the plan (Action-GPT): an installed GGUF name or provider:model; or a motion server (a provider of kind motion-http, docs/motion-protocol.md) that returns joints. Absent: the rule-based parser. */
      model: modelName,
      /** A GLB/VRM humanoid to retarget the motion onto (an artifact id, upload id, URL or file). */
      rig: mediaRef.optional(),
      /** A HumanML3D joint array (.npy or JSON, frames × 22 × 3) to import instead of synthesising. */
      joints: mediaRef.optional(),
    })
    .strict()
    .refine((v) => v.prompt !== undefined || v.plan !== undefined || v.joints !== undefined, { message: 'give a prompt (or a plan to render, or joints to import)', path: ['prompt'] }),
});
