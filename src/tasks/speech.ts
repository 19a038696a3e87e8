import { z } from 'zod';
import { language, modelName, prompt } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const speechTask = defineTask({
  kind: 'speech',
  title: 'Speech',
  description: 'Text-to-speech with word timings, in Chinese and English.',
  primaryField: 'text',
  outputs: ['audio', 'subtitle'],
  input: z
    .object({
      text: prompt,
      voice: z.string().min(1).max(200).optional(),
      language: language.optional(),
      speed: z.number().min(0.25).max(4).default(1),
      format: z.enum(['wav', 'mp3', 'ogg', 'flac']).default('wav'),
      model: modelName,
    })
    .strict(),
});
