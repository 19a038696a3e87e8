import { AI_RHYTHM_UNITS, RHYTHM_UNIT_SECONDS } from '../../governance/explicit/rhythm.ts';
import { SentenceStream } from '../../media/text/sentences.ts';

/**
 * The pieces an NPC reply is voiced and stored in: sentences from the model's stream, merged
 * so that every piece can stand alone. The first piece carries the audible AI label (its
 * rhythm mixed over the piece's start, and the later pieces point back to it), so it must
 * last at least as long as the label: a reply opening with a lone `"` once made a 7 ms first
 * piece that cut the 0.9 s label off. A piece with nothing to pronounce (quotes, dashes,
 * dots) is never voiced on its own either; it is joined to the sentence after it.
 */

/** How long the audible label lasts, seconds (0.9 s). */
const LABEL_SECONDS = AI_RHYTHM_UNITS.reduce((sum, units) => sum + units, 0) * RHYTHM_UNIT_SECONDS;
/** The first piece must be estimated this much longer than the label, for voices a little faster than the estimate. */
const FIRST_PIECE_MARGIN = 1.25;
/** Speaking rates at speed 1, measured on eSpeak-NG: ~14 Latin letters or digits, ~3.5 CJK characters a second. */
const LATIN_PER_SECOND = 14;
const CJK_PER_SECOND = 3.5;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const SPEAKABLE = /[\p{L}\p{N}]/u;

/** Seconds a voice at `speed` is expected to take for `text` (punctuation and spaces count for nothing). */
export function estimatedSpeechSeconds(text: string, speed = 1): number {
  let seconds = 0;
  for (const ch of text) {
    if (CJK.test(ch)) seconds += 1 / CJK_PER_SECOND;
    else if (SPEAKABLE.test(ch)) seconds += 1 / LATIN_PER_SECOND;
  }
  return seconds / speed;
}

export function hasSpeakableCharacters(text: string): boolean {
  return SPEAKABLE.test(text);
}

/** Feed the model's text as it streams in (the SentenceStream API); pieces fit to voice come out. */
export class SpeakablePieces {
  readonly #sentences = new SentenceStream();
  readonly #speed: number;
  #held = '';
  #emitted = 0;

  /** `speed`: the voice's speaking rate (1 = normal), which shortens every piece. */
  constructor(speed = 1) {
    this.#speed = speed;
  }

  push(delta: string): string[] {
    return this.#sentences.push(delta).flatMap((sentence) => this.#take(sentence));
  }

  /** At the end of the stream: the tail, with anything held; nothing if none of it is speakable. */
  flush(): string[] {
    const rest = [this.#held, ...this.#sentences.flush()].filter((s) => s !== '');
    this.#held = '';
    const tail = rest.reduce(join, '');
    if (!hasSpeakableCharacters(tail)) return [];
    this.#emitted++;
    return [tail];
  }

  #take(sentence: string): string[] {
    const piece = join(this.#held, sentence);
    const tooShort = this.#emitted === 0 && estimatedSpeechSeconds(piece, this.#speed) < LABEL_SECONDS * FIRST_PIECE_MARGIN;
    if (!hasSpeakableCharacters(piece) || tooShort) {
      this.#held = piece;
      return [];
    }
    this.#held = '';
    this.#emitted++;
    return [piece];
  }
}

/** Two pieces of text as one: a space between them, except between CJK text (which uses none). */
function join(before: string, after: string): string {
  if (before === '') return after;
  const last = before.at(-1) ?? '';
  const first = after[0] ?? '';
  const cjkSide = (ch: string) => CJK.test(ch) || /[\u3000-\u303f\uff00-\uffef“”‘’]/u.test(ch);
  return cjkSide(last) && cjkSide(first) ? `${before}${after}` : `${before} ${after}`;
}
