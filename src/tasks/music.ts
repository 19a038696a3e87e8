import { z } from 'zod';
import { durationSec, modelName, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const musicTask = defineTask({
  kind: 'music',
  title: 'Music',
  description: 'Melody from lyrics, arrangement, SoundFont rendering, vocals and mastering.',
  primaryField: 'prompt',
  outputs: ['audio', 'midi', 'text'],
  input: z
    .object({
      prompt: z.string().trim().min(1).max(10_000).optional(),
      lyrics: z.string().max(20_000).optional(),
      style: z.string().max(200).optional(),
      tempo: z.number().int().min(40).max(240).optional(),
      key: z
        .string()
        .regex(/^[A-G](#|b)?(m|min|maj)?$/, 'a key such as "C", "F#m" or "Bb"')
        .optional(),
      durationSec: durationSec(600).default(30),
      vocals: z.enum(['none', 'sung', 'spoken']).default('none'),
      soundfont: modelName,
      seed,
    })
    .strict()
    .refine((v) => v.prompt !== undefined || v.lyrics !== undefined, {
      message: 'give a prompt or lyrics',
      path: ['prompt'],
    }),
});
