import type { TimedText } from '../../core/timing.ts';
import type { RunnerEvent } from './runner-client.ts';

const EDGE_PUNCTUATION = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

/**
 * Word and sentence timings from eSpeak's own events. Event text positions are 1-based code
 * point indices into the text that was spoken; a word runs until the next word, clause end or
 * sentence begins. Words eSpeak reports at the same instant are merged, so starts strictly increase.
 */
export function timingsFromEvents(text: string, events: readonly RunnerEvent[], duration: number): { words: TimedText[]; sentences: TimedText[] } {
  const chars = Array.from(text);
  const ordered = [...events].sort((a, b) => a.audioMs - b.audioMs || a.textPosition - b.textPosition);
  const words: TimedText[] = [];
  const wordEvents = ordered.filter((e) => e.type === 'word');
  wordEvents.forEach((event, i) => {
    const from = Math.max(0, event.textPosition - 1);
    const nextWord = wordEvents[i + 1];
    // Latin words carry their length; CJK words run to the next word's position.
    const to = event.length > 0 && !/[\u3400-\u9fff]/.test(chars[from] ?? '') ? from + event.length : (nextWord ? nextWord.textPosition - 1 : chars.length);
    const word = chars.slice(from, Math.max(from + 1, to)).join('').replace(EDGE_PUNCTUATION, '');
    if (word === '') return;
    const start = event.audioMs / 1000;
    const boundary = ordered.find((e) => e.audioMs > event.audioMs && e.type !== 'sentence' && (e.type === 'end' || e.type === 'word'));
    const end = Math.min(duration, boundary ? boundary.audioMs / 1000 : duration);
    const previous = words.at(-1);
    if (previous && start <= previous.start) {
      words[words.length - 1] = { text: previous.text + word, start: previous.start, end: Math.max(previous.end, end) };
      return;
    }
    words.push({ text: word, start: Math.min(start, duration), end: Math.max(Math.min(start, duration), end) });
  });

  const sentenceEvents = ordered.filter((e) => e.type === 'sentence');
  const sentences: TimedText[] = [];
  sentenceEvents.forEach((event, i) => {
    const next = sentenceEvents[i + 1];
    const from = Math.max(0, event.textPosition - 1);
    const to = next ? next.textPosition - 1 : chars.length;
    const sentence = chars.slice(from, to).join('').trim();
    if (sentence === '') return;
    const start = event.audioMs / 1000;
    const inside = words.filter((w) => w.start >= start && (!next || w.start < next.audioMs / 1000));
    const end = inside.at(-1)?.end ?? (next ? next.audioMs / 1000 : duration);
    sentences.push({ text: sentence, start, end: Math.max(start, end) });
  });
  return { words, sentences };
}
