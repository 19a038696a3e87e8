import { z } from 'zod';
import { parseOrThrow } from '../../../core/validation.ts';
import { createRandom, type SeededRandom } from '../../seeded-random.ts';
import { arrange } from '../arrange.ts';
import { PPQ, type Composition, type Note, type Track } from '../composition.ts';
import { toMidi } from '../midi.ts';
import { MOODS, type Mood } from '../style.ts';
import { degreeToMidi, parseKey, tonicMidi, triadDegrees, type Key } from '../theory.ts';

/** A bed is 5 s to 10 min long. */
export const BED_LIMITS = { minSeconds: 5, maxSeconds: 600 } as const;
/** Fades every bed gets, seconds: in, and out (the final tonic chord rings into the fade-out). */
export const BED_FADES = { in: 1, out: 2 } as const;

export const bedRequestSchema = z
  .object({
    mood: z.enum(Object.keys(MOODS) as [Mood, ...Mood[]]),
    seconds: z.number().finite().min(BED_LIMITS.minSeconds).max(BED_LIMITS.maxSeconds),
    seed: z.number().int().min(0).max(2 ** 32 - 1),
  })
  .strict();
export type BedRequest = z.input<typeof bedRequestSchema>;

const BEATS_PER_BAR = 4;
const BAR = BEATS_PER_BAR * PPQ;
const PAD_PROGRAM = 89; // GM "Pad 2 (warm)"
const DRUM = { kick: 36, snare: 38, lowTom: 45, midTom: 47, highTom: 50, crash: 49 } as const;
/** Drums sit further back in a bed than in a song. */
const DRUM_VELOCITY_SCALE = 0.75;

/**
 * An instrumental bed for a mood, as a Composition: one or two intro bars on the tonic, the
 * mood's progression looped (the composer's piano or arpeggio comping, bass, strings and
 * drums from arrange.ts) with seeded variation — piano inversions per loop, a voice-led pad,
 * bass passing notes, drum fills at phrase ends — and a final tonic chord held into the
 * fade-out. No melody: the bed sits under a voice.
 */
export function bedComposition(request: BedRequest): Composition {
  const { mood, seconds, seed } = parseOrThrow(bedRequestSchema, request, 'music bed request');
  const style = MOODS[mood];
  const tempo = style.tempo;
  const key = parseKey(style.mode === 'minor' ? 'Am' : 'C');
  const tonic = tonicMidi(key);
  const barSeconds = (BEATS_PER_BAR * 60) / tempo;
  const random = createRandom(seed);
  // The last chord starts at least a bar (and the whole fade-out) before the cut.
  const finalBar = Math.max(1, Math.floor((seconds - Math.max(BED_FADES.out, barSeconds)) / barSeconds));
  const introBars = finalBar >= 12 ? 2 : 1;
  const progression = style.progression;
  const chordAt = (bar: number): number => (bar < introBars || bar >= finalBar ? 0 : progression[(bar - introBars) % progression.length]!);
  // Notes of the last chord are held past the cut, so the bed never thins out before it ends.
  const endTick = Math.ceil(((seconds + 1) / barSeconds) * BAR);

  const base = arrange({ key, tonic, beatsPerBar: BEATS_PER_BAR, totalBars: finalBar + 1, chordAt, comp: style.comp, drums: style.drums, instrument: 'piano', finalBar });
  const phraseEnds = (bar: number): boolean => bar >= introBars && bar < finalBar && (bar - introBars + 1) % progression.length === 0;
  const tracks: Track[] = base.map((track) => {
    if (track.channel === 9) return { ...track, notes: drumsWithFills(track.notes, { introBars, finalBar, phraseEnds }, random) };
    let notes = track.name === 'Piano' ? invertPiano(track.notes, { key, tonic, chordAt, introBars, loop: progression.length }, random) : track.notes;
    if (track.name === 'Bass') notes = withPassingNotes(notes, { key, tonic, chordAt, finalBar }, random);
    return { ...track, notes: holdLastChord(notes, finalBar * BAR, endTick) };
  });
  tracks.push(pad({ key, tonic, chordAt, finalBar, endTick }, random));

  return {
    key,
    tempo,
    beatsPerBar: BEATS_PER_BAR,
    mood,
    genre: 'bed',
    seed,
    tracks,
    syllables: [],
    lines: [],
    chords: Array.from({ length: finalBar + 1 }, (_, bar) => ({ bar, degree: chordAt(bar) })),
    totalTicks: endTick,
  };
}

/** The bed as a Standard MIDI File, with its length and tempo (see bedComposition). */
export function composeBed(request: BedRequest): { midi: Uint8Array; seconds: number; tempo: number } {
  const song = bedComposition(request);
  return { midi: toMidi(song), seconds: request.seconds, tempo: song.tempo };
}

interface Harmony {
  key: Key;
  tonic: number;
  chordAt: (bar: number) => number;
}

/** Every note sounding in the final bar is stretched to `endTick`. */
function holdLastChord(notes: readonly Note[], finalStart: number, endTick: number): Note[] {
  return notes.map((n) => (n.startTick >= finalStart ? { ...n, durationTicks: endTick - n.startTick } : n));
}

/**
 * The comping's chord tones moved up an octave per a seeded inversion chosen once per loop of
 * the progression (root position, first or second inversion): the same harmony, another colour.
 */
function invertPiano(notes: readonly Note[], plan: Harmony & { introBars: number; loop: number }, random: SeededRandom): Note[] {
  const inversions = new Map<number, number>();
  return notes.map((note) => {
    const bar = Math.floor(note.startTick / BAR);
    const loop = bar < plan.introBars ? -1 : Math.floor((bar - plan.introBars) / plan.loop);
    if (!inversions.has(loop)) inversions.set(loop, loop < 0 ? 0 : random.pick([0, 0, 1, 2]));
    const inversion = inversions.get(loop)!;
    const low = triadDegrees(plan.chordAt(bar)).map((d) => degreeToMidi(plan.key, d, plan.tonic - 12));
    return low.slice(0, inversion).includes(note.pitch) ? { ...note, pitch: note.pitch + 12 } : note;
  });
}

/** Now and then (seeded) the bass's last half-bar steps toward the next chord's root by a scale tone. */
function withPassingNotes(notes: readonly Note[], plan: Harmony & { finalBar: number }, random: SeededRandom): Note[] {
  const out: Note[] = [];
  for (const note of notes) {
    const bar = Math.floor(note.startTick / BAR);
    const secondHalf = note.startTick % BAR !== 0;
    if (!secondHalf || bar + 1 >= plan.finalBar + 1 || random.next() >= 0.3) {
      out.push(note);
      continue;
    }
    const next = plan.chordAt(bar + 1);
    const here = plan.chordAt(bar);
    const step = next >= here ? next - 1 : next + 1;
    const half = Math.floor(note.durationTicks / 2);
    out.push({ ...note, durationTicks: half });
    out.push({ ...note, pitch: degreeToMidi(plan.key, step, plan.tonic - 24), startTick: note.startTick + half + 5, durationTicks: note.durationTicks - half - 5, velocity: note.velocity - 8 });
  }
  return out;
}

/**
 * A soft pad holding each bar's chord, voiced to move as little as possible from the last one
 * (the inversion nearest in pitch; a seeded pick now and then), an octave band around middle C.
 */
function pad(plan: Harmony & { finalBar: number; endTick: number }, random: SeededRandom): Track {
  const notes: Note[] = [];
  let previous: number[] = [];
  for (let bar = 0; bar <= plan.finalBar; bar++) {
    const [r, t, f] = triadDegrees(plan.chordAt(bar));
    const voicings = [
      [r, t, f],
      [t, f, r + 7],
      [f, r + 7, t + 7],
    ].map((degrees) => degrees.map((d) => degreeToMidi(plan.key, d, plan.tonic - 12)).map((p, _, all) => (all[0]! < plan.tonic - 7 ? p + 12 : p)));
    const distance = (v: number[]) => (previous.length === 0 ? Math.abs(v[0]! - plan.tonic) : v.reduce((sum, p, i) => sum + Math.abs(p - previous[i]!), 0));
    const ranked = [...voicings].sort((a, b) => distance(a) - distance(b));
    const voicing = bar === plan.finalBar ? voicings[0]! : random.next() < 0.2 ? ranked[1]! : ranked[0]!;
    const start = bar * BAR;
    for (const pitch of voicing) notes.push({ pitch, startTick: start, durationTicks: bar === plan.finalBar ? plan.endTick - start : BAR - 4, velocity: 46 });
    previous = voicing;
  }
  return { name: 'Pad', program: PAD_PROGRAM, channel: 4, notes };
}

/**
 * Drums come in after the intro, quieter than in a song; the last beat of each phrase becomes a
 * seeded fill (toms down, or a snare pickup), and the phrase after it opens with a soft crash.
 */
function drumsWithFills(notes: readonly Note[], plan: { introBars: number; finalBar: number; phraseEnds: (bar: number) => boolean }, random: SeededRandom): Note[] {
  const out: Note[] = [];
  const lastBeat = (BEATS_PER_BAR - 1) * PPQ;
  for (const note of notes) {
    const bar = Math.floor(note.startTick / BAR);
    if (bar < plan.introBars) continue;
    if (plan.phraseEnds(bar) && note.startTick % BAR >= lastBeat) continue;
    out.push({ ...note, velocity: Math.round(note.velocity * DRUM_VELOCITY_SCALE) });
  }
  for (let bar = plan.introBars; bar < plan.finalBar; bar++) {
    if (!plan.phraseEnds(bar)) continue;
    const at = bar * BAR + lastBeat;
    const fill = random.pick([
      [DRUM.highTom, DRUM.midTom, DRUM.lowTom, DRUM.lowTom],
      [DRUM.snare, DRUM.snare, DRUM.midTom, DRUM.lowTom],
      [DRUM.snare, DRUM.snare, DRUM.snare, DRUM.snare],
    ]);
    fill.forEach((pitch, i) => out.push({ pitch, startTick: at + (i * PPQ) / 4, durationTicks: PPQ / 4, velocity: Math.round((52 + i * 6) * DRUM_VELOCITY_SCALE) }));
    out.push({ pitch: DRUM.crash, startTick: (bar + 1) * BAR, durationTicks: PPQ, velocity: Math.round(60 * DRUM_VELOCITY_SCALE) });
  }
  return out.sort((a, b) => a.startTick - b.startTick);
}
