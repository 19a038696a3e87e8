import { z } from 'zod';
import { dimension, durationSec, mediaRef, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const videoTask = defineTask({
  kind: 'video',
  title: 'Video',
  description: 'Video composed from generated scenes, narration, subtitles and sound effects; video providers.',
  primaryField: 'prompt',
  outputs: ['video', 'subtitle', 'image'],
  input: z
    .object({
      prompt: z.string().trim().min(1).max(100_000).optional(),
      /** A script or article to turn into scenes. */
      script: z.string().max(200_000).optional(),
      /** User media to work on (dubbing, subtitles, cover, reframing). */
      source: mediaRef.optional(),
      width: dimension.default(1280),
      height: dimension.default(720),
      fps: z.number().int().min(1).max(120).default(30),
      durationSec: durationSec(3_600).optional(),
      subtitles: z.boolean().default(true),
      voiceover: z.boolean().default(true),
      seed,
    })
    .strict()
    .refine((v) => v.prompt !== undefined || v.script !== undefined || v.source !== undefined, {
      message: 'give a prompt, a script or a source video',
      path: ['prompt'],
    }),
});
