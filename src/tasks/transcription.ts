import { z } from 'zod';
import { language, mediaRef, modelName } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const transcriptionTask = defineTask({
  kind: 'transcription',
  title: 'Transcription',
  description: 'Speech recognition with word timestamps, forced alignment and subtitles.',
  primaryField: 'audio',
  outputs: ['text', 'subtitle', 'json'],
  input: z
    .object({
      audio: mediaRef,
      language: language.optional(),
      wordTimestamps: z.boolean().default(true),
      /** Known text to align instead of recognizing (forced alignment). */
      transcript: z.string().max(1_000_000).optional(),
      /** Subtitle file format. */
      format: z.enum(['srt', 'vtt', 'ass', 'lrc']).default('srt'),
      model: modelName,
    })
    .strict(),
});
