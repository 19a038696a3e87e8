import type { SeededRandom } from '../seeded-random.ts';
import { PPQ, type PlacedSyllable } from './composition.ts';
import type { LyricLine } from './lyrics.ts';
import { degreeToMidi, triadDegrees, type Key } from './theory.ts';

const EIGHTH = PPQ / 2;

/** Note lengths, in eighths, for `count` syllables in `slots` eighths: the phrase's last syllable is held longest. */
export function rhythmFor(count: number, slots: number, random: SeededRandom): number[] {
  const base = Math.max(1, Math.floor((slots - 2) / count));
  const lengths = Array.from({ length: count }, () => Math.min(base, 4));
  let used = lengths.reduce((a, b) => a + b, 0);
  // A little swing of long–short pairs where there is room, decided by the seed.
  for (let i = 0; i + 1 < count - 1 && used < slots - 2; i += 2) {
    if (lengths[i] === 1 && random.next() < 0.35) {
      lengths[i] = 2;
      used++;
    }
  }
  lengths[count - 1] = Math.max(lengths[count - 1]!, Math.min(8, slots - (used - lengths[count - 1]!)));
  // Never overflow the phrase.
  while (lengths.reduce((a, b) => a + b, 0) > slots) {
    const longest = lengths.indexOf(Math.max(...lengths));
    lengths[longest]!--;
  }
  return lengths;
}

/** Mandarin tones shape the movement from the previous note (tone 3 dips, 4 falls, 2 rises, 1 holds high). */
function toneStep(tone: number | undefined, random: SeededRandom): number {
  switch (tone) {
    case 1:
      return random.pick([0, 0, 1]);
    case 2:
      return random.pick([1, 1, 2]);
    case 3:
      return random.pick([-1, -2, -2]);
    case 4:
      return random.pick([-1, -1, -2]);
    case 5:
      return random.pick([0, -1]);
    default:
      return random.pick([-1, 1, 1, -1, 0, 2, -2]);
  }
}

function nearestChordTone(degree: number, chordRoot: number): number {
  const tones = triadDegrees(chordRoot);
  let best = degree;
  let bestDistance = Infinity;
  for (let octave = -2; octave <= 2; octave++) {
    for (const t of tones) {
      const candidate = t + octave * 7;
      const distance = Math.abs(candidate - degree);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
  }
  return best;
}

export interface MelodyPlan {
  key: Key;
  tonic: number;
  beatsPerBar: number;
  barsPerLine: number[];
  startBar: number;
  chordAt: (bar: number) => number;
}

/**
 * One note per syllable. Each line gets whole bars; strong beats land on chord tones; the
 * melody stays within a singable octave and a half; each line ends on a chord tone and each
 * section on the tonic.
 */
export function composeMelody(lines: readonly LyricLine[], plan: MelodyPlan, random: SeededRandom): PlacedSyllable[] {
  const out: PlacedSyllable[] = [];
  let bar = plan.startBar;
  let degree = random.pick([2, 4]);
  lines.forEach((line, lineIndex) => {
    const bars = plan.barsPerLine[lineIndex]!;
    const slots = bars * plan.beatsPerBar * 2;
    const lengths = rhythmFor(line.syllables.length, slots, random);
    const sectionEnds = lineIndex === lines.length - 1 || lines[lineIndex + 1]!.section !== line.section;
    let tick = bar * plan.beatsPerBar * PPQ;
    line.syllables.forEach((syllable, i) => {
      const beatInBar = Math.round(tick / PPQ) % plan.beatsPerBar;
      const currentBar = Math.floor(tick / (plan.beatsPerBar * PPQ));
      degree += i === 0 ? random.pick([0, 1, -1]) : toneStep(syllable.tone, random);
      if (beatInBar === 0 && tick % PPQ === 0) degree = nearestChordTone(degree, plan.chordAt(currentBar));
      const last = i === line.syllables.length - 1;
      if (last) degree = sectionEnds ? nearestTonic(degree) : nearestChordTone(degree, plan.chordAt(currentBar));
      degree = Math.max(-2, Math.min(9, degree));
      const durationTicks = lengths[i]! * EIGHTH;
      out.push({
        text: syllable.text,
        line: lineIndex,
        ...(syllable.tone === undefined ? {} : { tone: syllable.tone }),
        wordEnd: syllable.wordEnd,
        pitch: degreeToMidi(plan.key, degree, plan.tonic),
        startTick: tick,
        durationTicks,
      });
      tick += durationTicks;
    });
    bar += bars;
  });
  return out;
}

function nearestTonic(degree: number): number {
  return Math.round(degree / 7) * 7;
}
