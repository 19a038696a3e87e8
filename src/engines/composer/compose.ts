import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';
import { createRandom } from '../seeded-random.ts';
import { arrange } from './arrange.ts';
import { PPQ, type Composition, type PlacedLine, type Track } from './composition.ts';
import { parseLyrics } from './lyrics.ts';
import { composeMelody } from './melody.ts';
import { checkTempo, MOODS, styleSchema, type StyleInput } from './style.ts';
import { parseKey, tonicMidi } from './theory.ts';

export const composeRequestSchema = z
  .object({
    lyrics: z.string().max(20_000),
    style: styleSchema.default({ mood: 'warm', genre: 'pop', instrument: 'piano' }),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    /** Bars of accompaniment before the voice comes in, and after it ends. */
    introBars: z.number().int().min(0).max(16).default(2),
    outroBars: z.number().int().min(1).max(16).default(2),
  })
  .strict();

export type ComposeRequest = z.input<typeof composeRequestSchema>;

/**
 * Lyrics + style → a complete song: melody (one note per syllable, Mandarin tones steering
 * its contour), chord progression, accompaniment (piano or guitar, bass, strings, drums) with
 * intro and outro. Deterministic: the same request and seed give the same notes.
 */
export function compose(request: ComposeRequest): Composition {
  const { lyrics, style, seed, introBars, outroBars } = parseOrThrow(composeRequestSchema, request, 'compose request');
  const mood = MOODS[style.mood];
  const tempo = checkTempo(style.tempo ?? mood.tempo);
  const key = parseKey(style.key ?? (mood.mode === 'minor' ? 'Am' : 'C'));
  const beatsPerBar = style.genre === 'waltz' ? 3 : 4;
  const lines = parseLyrics(lyrics);
  const random = createRandom(seed);

  // Two bars for a short line, four for a long one: enough eighth notes for every syllable.
  const barsPerLine = lines.map((l) => (l.syllables.length <= beatsPerBar * 2 * 2 - 2 ? 2 : 4));
  const voiceBars = barsPerLine.reduce((a, b) => a + b, 0);
  const totalBars = introBars + voiceBars + outroBars;
  const finalBar = totalBars - 1;
  const progression = mood.progression;
  const chordAt = (bar: number): number => (bar >= finalBar ? 0 : progression[bar % progression.length]!);
  const tonic = tonicMidi(key);

  const syllables = composeMelody(lines, { key, tonic, beatsPerBar, barsPerLine, startBar: introBars, chordAt }, random);
  const melody: Track = {
    name: 'Melody',
    program: style.instrument === 'guitar' ? 73 : 71, // flute or clarinet: a voice-like guide
    channel: 0,
    notes: syllables.map((s) => ({ pitch: s.pitch, startTick: s.startTick, durationTicks: s.durationTicks, velocity: 90 })),
  };
  const placedLines: PlacedLine[] = [];
  let bar = introBars;
  lines.forEach((line, i) => {
    const own = syllables.filter((s) => s.line === i);
    placedLines.push({ text: line.text, section: line.section, startTick: own[0]!.startTick, endTick: (bar + barsPerLine[i]!) * beatsPerBar * PPQ });
    bar += barsPerLine[i]!;
  });
  const tracks = [melody, ...arrange({ key, tonic, beatsPerBar, totalBars, chordAt, comp: mood.comp, drums: style.genre === 'ballad' && mood.drums === 'pop' ? 'soft' : mood.drums, instrument: style.instrument, finalBar })];
  return {
    key,
    tempo,
    beatsPerBar,
    mood: style.mood,
    genre: style.genre,
    seed,
    tracks,
    syllables,
    lines: placedLines,
    chords: Array.from({ length: totalBars }, (_, b) => ({ bar: b, degree: chordAt(b) })),
    totalTicks: totalBars * beatsPerBar * PPQ,
  };
}

export type { StyleInput };
