import { ShenbiError } from '../../core/errors.ts';

/** Pitch classes by name; flats and sharps both accepted. */
const PITCH_CLASSES: Record<string, number> = {
  C: 0, 'C#': 1, Db: 1, D: 2, 'D#': 3, Eb: 3, E: 4, F: 5, 'F#': 6, Gb: 6, G: 7, 'G#': 8, Ab: 8, A: 9, 'A#': 10, Bb: 10, B: 11,
};

export type Mode = 'major' | 'minor';

const SCALES: Record<Mode, readonly number[]> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  // Natural minor; cadences raise the 7th (harmonic minor) for a real dominant.
  minor: [0, 2, 3, 5, 7, 8, 10],
};

export interface Key {
  readonly name: string;
  readonly tonic: number; // pitch class
  readonly mode: Mode;
}

/** "C", "G", "F#", "Bb", "Am", "C#m", "Eb minor" … */
export function parseKey(text: string): Key {
  const match = /^([A-Ga-g])([#b]?)\s*(m|min|minor|maj|major)?$/.exec(text.trim());
  const name = match ? match[1]!.toUpperCase() + (match[2] ?? '') : '';
  const tonic = PITCH_CLASSES[name];
  if (!match || tonic === undefined) {
    throw new ShenbiError('INVALID_INPUT', `unknown key "${text}"`, { hint: 'Use a key such as C, G, F#, Bb, Am or C#m.' });
  }
  const mode: Mode = match[3] && match[3].startsWith('m') && match[3] !== 'maj' && match[3] !== 'major' ? 'minor' : 'major';
  return { name: `${name}${mode === 'minor' ? 'm' : ''}`, tonic, mode };
}

export function scaleOf(key: Key): readonly number[] {
  return SCALES[key.mode].map((step) => (key.tonic + step) % 12);
}

/** MIDI pitch of a scale degree (0 = tonic; may be negative or above 6) around `octaveBase` (MIDI of the tonic). */
export function degreeToMidi(key: Key, degree: number, octaveBase: number): number {
  const scale = SCALES[key.mode];
  const octave = Math.floor(degree / 7);
  const index = ((degree % 7) + 7) % 7;
  return octaveBase + octave * 12 + scale[index]!;
}

/** The tonic's MIDI number in the octave whose tonic lies between C4 and B4 (a comfortable middle voice). */
export function tonicMidi(key: Key, octave = 4): number {
  return 12 * (octave + 1) + key.tonic;
}

/** Diatonic triad on a scale degree, as degrees (root, third, fifth). */
export function triadDegrees(root: number): [number, number, number] {
  return [root, root + 2, root + 4];
}

export function inKey(key: Key, midi: number): boolean {
  return scaleOf(key).includes(((midi % 12) + 12) % 12);
}
