import { z } from 'zod';
import { modelName, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const musicTask = defineTask({
  kind: 'music',
  title: 'Music',
  description: 'A song from your lyrics, or lyrics written for a wish: melody, arrangement, SoundFont rendering, sung or spoken vocals, mastering, LRC and MIDI.',
  primaryField: 'lyrics',
  outputs: ['audio', 'midi', 'subtitle'],
  input: z
    .object({
      /** Your lyrics: one phrase per line; blank lines or [Verse]/[Chorus] start sections. */
      lyrics: z.string().max(20_000).optional(),
      /** Without lyrics: what the song wishes (lyrics are written by the text model). */
      prompt: z.string().trim().min(1).max(2_000).optional(),
      recipient: z.string().max(200).optional(),
      title: z.string().max(200).optional(),
      mood: z.enum(['warm', 'festive', 'lyrical', 'gentle', 'energetic', 'melancholy']).default('warm'),
      genre: z.enum(['pop', 'ballad', 'folk', 'waltz', 'chinese']).default('pop'),
      instrument: z.enum(['piano', 'guitar']).default('piano'),
      tempo: z.number().min(40).max(220).optional(),
      key: z
        .string()
        .regex(/^[A-G](#|b)?(m|min|maj)?$/, 'a key such as "C", "F#m" or "Bb"')
        .optional(),
      vocals: z.enum(['sung', 'spoken', 'none']).default('sung'),
      format: z.enum(['wav', 'mp3', 'ogg', 'flac']).default('mp3'),
      /** Path of an .sf2/.sf3 SoundFont; default: the bundled FluidR3Mono. */
      soundfont: z.string().min(1).max(4096).optional(),
      /** Length in seconds, for cloud music models (the local composer sets its own from the lyrics). */
      duration: z.number().min(3).max(300).optional(),
      seed,
      /** Text model for writing lyrics, or a cloud music model: elevenlabs:music_v1, replicate:meta/musicgen, fal:fal-ai/ace-step. */
      model: modelName,
    })
    .strict()
    .refine((v) => v.prompt !== undefined || v.lyrics !== undefined, {
      message: 'give lyrics, or a prompt (the wish) to write them from',
      path: ['lyrics'],
    }),
});
