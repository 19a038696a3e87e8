import { z } from 'zod';
import { mediaRef, modelName, prompt, seed } from './common-fields.ts';
import { isCloud3dSpec } from '../engines/cloud-3d/spec.ts';
import { MODEL_FORMATS } from '../engines/scene3d/types.ts';
import { defineTask } from './task-definition.ts';

export const model3dTask = defineTask({
  kind: '3d',
  title: '3D model',
  description: 'Text-to-3D: a scene program (built-in object, or written by a text model) built into solid geometry as GLB, glTF, STL, 3MF or USDZ (Apple AR), with a thumbnail.',
  primaryField: 'prompt',
  outputs: ['model3d', 'json', 'image'],
  input: z
    .object({
      /** What to make; without a text model it names a built-in object (灯笼 lantern, 剑 sword, 茶杯 teacup…). */
      prompt: prompt.optional(),
      /** A stored scene program (art_…) or its JSON (text or object), built as it is: edit and rebuild. */
      program: z.union([z.string().min(1).max(2_000_000), z.record(z.string(), z.unknown())]).optional(),
      /** Image-to-3D with a cloud model (meshy:…, tripo:…, rodin:…, fal:…, replicate:…): an artifact id, upload id, URL or file. */
      image: mediaRef.optional(),
      format: z.enum(MODEL_FORMATS).default('glb'),
      /** More formats of the same build, stored beside it (`--set alsoFormats='["stl","3mf"]'`). */
      alsoFormats: z.array(z.enum(MODEL_FORMATS)).max(MODEL_FORMATS.length).optional(),
      /** How finely curves are cut (and the triangle budget). */
      detail: z.enum(['low', 'medium', 'high']).default('medium'),
      seed,
      /** A text model that writes the scene program: an installed GGUF name or provider:model. Absent: the built-in library. */
      model: modelName,
      /** A PNG view of the model (needs Chromium; skipped with a warning without it). */
      thumbnail: z.boolean().default(true),
      /** An MP4 of one turn around the model. */
      turntable: z.boolean().default(false),
    })
    .strict()
    .refine((v) => v.prompt !== undefined || v.program !== undefined || v.image !== undefined, { message: 'give a prompt (or a program to rebuild, or an image for a cloud model)', path: ['prompt'] })
    // The local kernel builds from words: an image would be silently ignored.
    .refine((v) => v.image === undefined || (v.model !== undefined && isCloud3dSpec(v.model)), { message: 'image-to-3D runs on a cloud 3D model: add --set model=meshy:latest (or tripo:…, rodin:…, fal:…, replicate:…)', path: ['image'] }),
});
