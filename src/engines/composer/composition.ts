import type { Key } from './theory.ts';

/** Ticks per quarter note (midi-writer-js's fixed resolution). */
export const PPQ = 128;

export interface Note {
  pitch: number;
  startTick: number;
  durationTicks: number;
  velocity: number;
}

export interface Track {
  name: string;
  /** General MIDI program (0–127); ignored for drums. */
  program: number;
  /** MIDI channel 0–15; 9 is percussion. */
  channel: number;
  notes: Note[];
}

/** A sung syllable placed on its note: what vocals and the lyric sheet are built from. */
export interface PlacedSyllable {
  text: string;
  line: number;
  tone?: number;
  wordEnd: boolean;
  pitch: number;
  startTick: number;
  durationTicks: number;
}

export interface PlacedLine {
  text: string;
  section: string;
  startTick: number;
  endTick: number;
}

export interface Composition {
  key: Key;
  tempo: number;
  beatsPerBar: number;
  mood: string;
  genre: string;
  seed: number;
  tracks: Track[];
  syllables: PlacedSyllable[];
  lines: PlacedLine[];
  /** Chord roots per bar, as scale degrees (for tests and display). */
  chords: { bar: number; degree: number }[];
  totalTicks: number;
}

export function ticksToSeconds(ticks: number, tempo: number): number {
  return (ticks / PPQ) * (60 / tempo);
}
