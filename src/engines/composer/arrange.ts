import { PPQ, type Note, type Track } from './composition.ts';
import { degreeToMidi, triadDegrees, type Key } from './theory.ts';

export interface ArrangementPlan {
  key: Key;
  tonic: number;
  beatsPerBar: number;
  totalBars: number;
  chordAt: (bar: number) => number;
  comp: 'arpeggio' | 'block';
  drums: 'pop' | 'soft' | 'brush' | 'none';
  instrument: 'piano' | 'guitar';
  /** Bars in which the song ends: everything resolves to the tonic and rings out. */
  finalBar: number;
}

const GM = { piano: 0, nylonGuitar: 24, bass: 33, strings: 48, pad: 89 } as const;
const DRUM = { kick: 36, sideStick: 37, snare: 38, closedHat: 42, ride: 51 } as const;

function chordPitches(plan: ArrangementPlan, root: number, octaveShift: number): number[] {
  return triadDegrees(root).map((d) => degreeToMidi(plan.key, d, plan.tonic + 12 * octaveShift));
}

/** Piano or guitar: block chords on the beats or a rolling arpeggio, one octave below the voice. */
function comping(plan: ArrangementPlan): Track {
  const notes: Note[] = [];
  for (let bar = 0; bar < plan.totalBars; bar++) {
    const start = bar * plan.beatsPerBar * PPQ;
    const pitches = chordPitches(plan, plan.chordAt(bar), -1);
    if (bar === plan.finalBar) {
      for (const pitch of pitches) notes.push({ pitch, startTick: start, durationTicks: plan.beatsPerBar * PPQ, velocity: 70 });
      continue;
    }
    if (plan.comp === 'block') {
      for (let beat = 0; beat < plan.beatsPerBar; beat++) {
        for (const pitch of pitches) notes.push({ pitch, startTick: start + beat * PPQ, durationTicks: PPQ - 8, velocity: beat === 0 ? 72 : 58 });
      }
    } else {
      const pattern = [pitches[0]!, pitches[1]!, pitches[2]!, pitches[1]! + 12, pitches[2]!, pitches[1]!, pitches[0]! + 12, pitches[2]!];
      for (let eighth = 0; eighth < plan.beatsPerBar * 2; eighth++) {
        notes.push({ pitch: pattern[eighth % pattern.length]!, startTick: start + eighth * (PPQ / 2), durationTicks: PPQ, velocity: eighth === 0 ? 68 : 54 });
      }
    }
  }
  return { name: plan.instrument === 'guitar' ? 'Guitar' : 'Piano', program: plan.instrument === 'guitar' ? GM.nylonGuitar : GM.piano, channel: 1, notes };
}

/** Bass: the chord root on the first beat and the fifth halfway through the bar. */
function bass(plan: ArrangementPlan): Track {
  const notes: Note[] = [];
  const half = Math.ceil(plan.beatsPerBar / 2);
  for (let bar = 0; bar < plan.totalBars; bar++) {
    const start = bar * plan.beatsPerBar * PPQ;
    const root = plan.chordAt(bar);
    const rootPitch = degreeToMidi(plan.key, root, plan.tonic - 24);
    if (bar === plan.finalBar) {
      notes.push({ pitch: rootPitch, startTick: start, durationTicks: plan.beatsPerBar * PPQ, velocity: 80 });
      continue;
    }
    notes.push({ pitch: rootPitch, startTick: start, durationTicks: half * PPQ - 10, velocity: 84 });
    notes.push({ pitch: degreeToMidi(plan.key, root + 4, plan.tonic - 24), startTick: start + half * PPQ, durationTicks: (plan.beatsPerBar - half) * PPQ - 10, velocity: 74 });
  }
  return { name: 'Bass', program: GM.bass, channel: 2, notes };
}

/** Strings: the chord held through each bar, quietly, an octave up from the comping. */
function strings(plan: ArrangementPlan): Track {
  const notes: Note[] = [];
  for (let bar = 0; bar < plan.totalBars; bar++) {
    for (const pitch of chordPitches(plan, plan.chordAt(bar), 0)) {
      notes.push({ pitch, startTick: bar * plan.beatsPerBar * PPQ, durationTicks: plan.beatsPerBar * PPQ - 4, velocity: 44 });
    }
  }
  return { name: 'Strings', program: GM.strings, channel: 3, notes };
}

/** Drums on channel 10: kick and snare (or side stick, or ride) with hats; a crash-free, gentle fill of time. */
function drums(plan: ArrangementPlan): Track | undefined {
  if (plan.drums === 'none') return undefined;
  const notes: Note[] = [];
  const waltz = plan.beatsPerBar === 3;
  for (let bar = 0; bar < plan.finalBar; bar++) {
    const start = bar * plan.beatsPerBar * PPQ;
    for (let beat = 0; beat < plan.beatsPerBar; beat++) {
      const at = start + beat * PPQ;
      const backbeat = waltz ? beat > 0 : beat % 2 === 1;
      if (!backbeat) notes.push({ pitch: DRUM.kick, startTick: at, durationTicks: PPQ / 2, velocity: plan.drums === 'pop' ? 96 : 70 });
      else notes.push({ pitch: plan.drums === 'pop' ? DRUM.snare : DRUM.sideStick, startTick: at, durationTicks: PPQ / 2, velocity: plan.drums === 'pop' ? 88 : 60 });
      const hat = plan.drums === 'brush' ? DRUM.ride : DRUM.closedHat;
      notes.push({ pitch: hat, startTick: at, durationTicks: PPQ / 4, velocity: 50 });
      if (plan.drums === 'pop') notes.push({ pitch: hat, startTick: at + PPQ / 2, durationTicks: PPQ / 4, velocity: 40 });
    }
  }
  notes.push({ pitch: DRUM.kick, startTick: plan.finalBar * plan.beatsPerBar * PPQ, durationTicks: PPQ, velocity: 90 });
  return { name: 'Drums', program: 0, channel: 9, notes };
}

export function arrange(plan: ArrangementPlan): Track[] {
  return [comping(plan), bass(plan), strings(plan), drums(plan)].filter((t): t is Track => t !== undefined);
}
