import type { TimedPhoneme } from '../talking-head/types.ts';
import type { RunnerEvent } from './protocol.ts';

/** eSpeak marks a switch of language inside the text ('(en)', '(cmn)'): not a sound. */
const LANGUAGE_SWITCH = /^\(.*\)$/u;

/**
 * Turns eSpeak's phoneme events into a gap-free phoneme timeline: each phoneme ends where the
 * next begins (the last at the end of the audio), pauses kept as ''. eSpeak reports several
 * events at one instant (a zero-length pause right before a word's first phoneme, a pause
 * twice at a clause end): the later one wins, and neighbouring pauses merge, so starts
 * strictly increase and nothing lies outside [0, duration].
 */
export function buildPhonemeTimings(events: readonly RunnerEvent[], duration: number): TimedPhoneme[] {
  const starts: { phoneme: string; start: number }[] = [];
  for (const event of events) {
    if (event.type !== 'phoneme') continue;
    const phoneme = (event.phoneme ?? '').trim();
    if (LANGUAGE_SWITCH.test(phoneme)) continue;
    const start = Math.max(0, event.time);
    if (start >= duration) continue;
    const prev = starts.at(-1);
    if (prev !== undefined && start < prev.start) continue; // out of order: never seen, never trusted
    if (prev !== undefined && start === prev.start) {
      starts.pop();
      const before = starts.at(-1);
      if (phoneme === '' && before?.phoneme === '') continue;
      starts.push({ phoneme, start });
      continue;
    }
    if (prev !== undefined && phoneme === '' && prev.phoneme === '') continue;
    starts.push({ phoneme, start });
  }
  return starts.map((item, i) => ({ phoneme: item.phoneme, start: item.start, end: starts[i + 1]?.start ?? duration }));
}
