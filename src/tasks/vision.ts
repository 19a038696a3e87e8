import { z } from 'zod';
import { mediaRef, modelName } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const visionTask = defineTask({
  kind: 'vision',
  title: 'Vision and OCR',
  description: 'Captioning, visual question answering and OCR (Chinese and English).',
  primaryField: 'image',
  outputs: ['text', 'json'],
  input: z
    .object({
      image: mediaRef,
      /** "vqa" is another name for "question". */
      mode: z.enum(['caption', 'question', 'vqa', 'ocr']).default('caption'),
      question: z.string().min(1).max(10_000).optional(),
      languages: z.array(z.string().regex(/^[a-z_]{3,10}$/)).min(1).default(['eng', 'chi_sim']),
      model: modelName,
    })
    .strict()
    .refine((v) => (v.mode !== 'question' && v.mode !== 'vqa') || v.question !== undefined, {
      message: `mode "question" (or "vqa") needs a question`,
      path: ['question'],
    }),
});
