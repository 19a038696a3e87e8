import { z } from 'zod';
import { modelName, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const musicTask = defineTask({
  kind: 'music',
  title: 'Music',
  description: 'A song from your lyrics, or lyrics written for a wish: melody, arrangement, SoundFont rendering, sung or spoken vocals, mastering, LRC and MIDI. Or your own MIDI file rendered with a SoundFont.',
  primaryField: 'lyrics',
  outputs: ['audio', 'midi', 'subtitle'],
  input: z
    .object({
      /** Your lyrics: one phrase per line (newlines, | or / break lines); blank lines or [Verse]/[Chorus] start sections. */
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
      /** Your own Standard MIDI File to render (instead of lyrics or a prompt): a path (CLI), an upload or artifact id, or a URL. */
      midi: z.string().min(1).max(4096).optional(),
      /** An .sf2/.sf3 SoundFont, given like midi; default: the bundled FluidR3Mono. */
      soundfont: z.string().min(1).max(4096).optional(),
      /** Length in seconds, for cloud music models (the local composer sets its own from the lyrics). */
      duration: z.number().min(3).max(300).optional(),
      seed,
      /** Text model for writing lyrics, or a cloud music model: elevenlabs:music_v1, replicate:meta/musicgen, fal:fal-ai/ace-step. */
      model: modelName,
    })
    .strict()
    .refine((v) => v.prompt !== undefined || v.lyrics !== undefined || v.midi !== undefined, {
      message: 'give lyrics, a prompt (the wish) to write them from, or a midi file to render',
      path: ['lyrics'],
    })
    .refine((v) => v.midi === undefined || (v.prompt === undefined && v.lyrics === undefined && v.model === undefined), {
      message: 'midi renders your own MIDI file: leave out lyrics, prompt and model',
      path: ['midi'],
    }),
});
