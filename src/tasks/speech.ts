import { z } from 'zod';
import { MAX_SPEECH_TEXT_CHARS } from '../engines/speech-text-limit.ts';
import { language, modelName } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const speechTask = defineTask({
  kind: 'speech',
  title: 'Speech',
  description: 'Text-to-speech with word timings, in Chinese and English.',
  primaryField: 'text',
  outputs: ['audio', 'subtitle'],
  input: z
    .object({
      /** At most what one synthesis takes (MAX_SPEECH_TEXT_CHARS): refused here, as input, not deep in the engine. */
      text: z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(MAX_SPEECH_TEXT_CHARS, `at most ${MAX_SPEECH_TEXT_CHARS} characters for one synthesis; split a longer text (for example by paragraph)`),
      voice: z.string().min(1).max(200).optional(),
      language: language.optional(),
      speed: z.number().min(0.25).max(4).default(1),
      format: z.enum(['wav', 'mp3', 'ogg', 'opus', 'flac']).default('wav'),
      model: modelName,
    })
    .strict(),
});
