import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';

/** What each mood means musically; a request may override any of it. */
export const MOODS = {
  warm: { tempo: 84, mode: 'major', progression: [0, 5, 3, 4], drums: 'soft', comp: 'arpeggio' },
  festive: { tempo: 116, mode: 'major', progression: [0, 3, 4, 0], drums: 'pop', comp: 'block' },
  lyrical: { tempo: 72, mode: 'major', progression: [5, 3, 0, 4], drums: 'brush', comp: 'arpeggio' },
  gentle: { tempo: 66, mode: 'major', progression: [0, 3, 5, 4], drums: 'none', comp: 'arpeggio' },
  energetic: { tempo: 128, mode: 'major', progression: [0, 4, 5, 3], drums: 'pop', comp: 'block' },
  melancholy: { tempo: 76, mode: 'minor', progression: [0, 5, 2, 6], drums: 'brush', comp: 'arpeggio' },
} as const;

export type Mood = keyof typeof MOODS;

export const GENRES = ['pop', 'ballad', 'folk', 'waltz', 'chinese'] as const;

export const styleSchema = z
  .object({
    mood: z.enum(Object.keys(MOODS) as [Mood, ...Mood[]]).default('warm'),
    genre: z.enum(GENRES).default('pop'),
    /** Beats per minute; default from the mood. */
    tempo: z.number().optional(),
    /** e.g. C, G, Bb, Am; default C major (A minor for minor moods). */
    key: z.string().optional(),
    /** Accompaniment lead: piano or guitar. */
    instrument: z.enum(['piano', 'guitar']).default('piano'),
  })
  .strict();

export type StyleInput = z.input<typeof styleSchema>;

export function checkTempo(tempo: number): number {
  if (!Number.isFinite(tempo) || tempo < 40 || tempo > 220) {
    throw new ShenbiError('INVALID_INPUT', `impossible tempo ${tempo} BPM: songs here are 40–220 BPM`);
  }
  return tempo;
}
