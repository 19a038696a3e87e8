import { z } from 'zod';
import { language, mediaRef, modelName, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const VIDEO_OPERATIONS = ['article', 'subtitles', 'dub', 'cover', 'portrait', 'stabilize', 'enhance', 'folder', 'generate'] as const;

export const videoTask = defineTask({
  kind: 'video',
  title: 'Video',
  description: 'An article to a narrated video; or, on your video: subtitles, dubbing, smart cover, landscape to portrait, stabilisation.',
  primaryField: 'prompt',
  outputs: ['video', 'image'],
  input: z
    .object({
      /** An article or script to turn into a narrated video. */
      prompt: z.string().trim().min(1).max(100_000).optional(),
      /** Your video (a file path or artifact id) for the editing operations; for 'folder', a folder of pictures and clips. */
      source: mediaRef.optional(),
      /** Default: 'article' for a prompt, 'subtitles' for a source video. */
      operation: z.enum(VIDEO_OPERATIONS).optional(),
      /** Known text: aligned for subtitles, spoken for dubbing. */
      script: z.string().max(200_000).optional(),
      language: language.optional(),
      voice: z.string().min(1).max(100).optional(),
      title: z.string().max(200).optional(),
      aspect: z.enum(['16:9', '9:16', '1:1']).default('16:9'),
      resolution: z.enum(['720p', '1080p']).default('720p'),
      scenes: z.number().int().min(2).max(12).default(5),
      /** dub: duck or replace the original sound; portrait: follow the subject or blur-fill. */
      mode: z.enum(['duck', 'replace', 'follow', 'blur']).optional(),
      softSubtitles: z.boolean().default(false),
      /** enhance: double the resolution too. */
      upscale: z.boolean().default(false),
      seed,
      /** generate: clip length in seconds. */
      durationSec: z.number().int().min(2).max(20).optional(),
      /** Text model (article), whisper model (subtitles without a script), or provider:model of a video model (generate). */
      model: modelName,
    })
    .strict()
    .refine((v) => v.prompt !== undefined || v.source !== undefined, { message: 'give an article (prompt) or a source video', path: ['prompt'] })
    .refine((v) => ['article', 'generate'].includes(v.operation ?? (v.source ? 'subtitles' : 'article')) || v.source !== undefined, { message: 'this operation needs a source video', path: ['source'] })
    .refine((v) => (v.operation !== 'dub' && v.operation !== 'folder') || v.script !== undefined, { message: 'this operation needs the script to speak', path: ['script'] })
    .refine((v) => v.operation !== 'generate' || (v.prompt !== undefined && v.model?.includes(':') === true), { message: 'generate needs a prompt and a cloud video model as provider:model', path: ['model'] }),
});
