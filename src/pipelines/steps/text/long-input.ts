/**
 * Long inputs on small-context models, map-reduce style: when a call's prompt does not fit the
 * model's context (CONTEXT_OVERFLOW, which says how many tokens the prompt was and the context
 * holds), the text is split at paragraph and sentence boundaries into pieces that fit with
 * their instruction, each piece is processed alone (map), and the results are combined
 * (reduce), again in rounds if the combination is still too long. The model itself stays the
 * judge of what fits: a piece that still overflows is halved and tried again.
 */
import { generateText, type LanguageModel } from 'ai';
import { isShenbiError, ShenbiError } from '../../../core/errors.ts';
import { splitSentences } from '../../../media/text/sentences.ts';

/** What a CONTEXT_OVERFLOW said about the call that did not fit. */
export interface ContextOverflow {
  readonly promptTokens: number;
  readonly contextSize: number;
  readonly reserved: number;
}

/** The overflow behind an error (the AI SDK may wrap a provider's error), if that is what it is. */
export function contextOverflowOf(error: unknown): ContextOverflow | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (isShenbiError(e) && e.code === 'CONTEXT_OVERFLOW') {
      const d = (e.details ?? {}) as Record<string, unknown>;
      const promptTokens = Number(d.promptTokens);
      const contextSize = Number(d.contextSize);
      if (promptTokens > 0 && contextSize > 0) return { promptTokens, contextSize, reserved: Number(d.reserved) || 0 };
      return undefined;
    }
    const next = (e as { cause?: unknown; lastError?: unknown }).lastError ?? (e as { cause?: unknown }).cause;
    if (next === e) break;
    e = next;
  }
  return undefined;
}

/**
 * `text` in pieces of at most `maxChars` characters, cut between paragraphs where it can,
 * else between sentences, else (one sentence longer than a piece) between characters.
 */
export function splitText(text: string, maxChars: number): string[] {
  const limit = Math.max(1, Math.floor(maxChars));
  const sentences = text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .flatMap((paragraph, i) => {
      const parts = paragraph.length <= limit ? [paragraph] : splitSentences(paragraph);
      return parts.map((part, k) => ({ part, paragraphStart: i > 0 && k === 0 }));
    });
  const pieces: string[] = [];
  let current = '';
  const push = (): void => {
    if (current.trim() !== '') pieces.push(current.trim());
    current = '';
  };
  for (const { part, paragraphStart } of sentences) {
    for (let rest = part; rest !== ''; ) {
      const glue = current === '' ? '' : paragraphStart ? '\n\n' : /[\p{Script=Han}]$/u.test(current) ? '' : ' ';
      if (current.length + glue.length + rest.length <= limit) {
        current += glue + rest;
        rest = '';
      } else if (current !== '') push();
      else {
        pieces.push(rest.slice(0, limit));
        rest = rest.slice(limit);
      }
    }
  }
  push();
  return pieces;
}

export interface CondenseOptions {
  readonly model: LanguageModel;
  /** The text that did not fit. */
  readonly text: string;
  /** How many tokens the condensed text may have for the caller's own call to fit. */
  readonly targetTokens: number;
  /** The overflow that brought us here: sizes the pieces. */
  readonly overflow: ContextOverflow;
  /** Tokens of the overflowing prompt that were not `text` (system and instructions), estimated. */
  readonly otherPromptTokens: number;
  readonly chinese: boolean;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Each model call, for progress. */
  readonly onCall?: (call: { round: number; piece: number; pieces: number }) => void;
}

const MAX_ROUNDS = 4;
const MAX_HALVINGS = 4;

interface Note {
  text: string;
  /** As the model counted its output; the estimate when it did not say. */
  tokens: number;
}

/**
 * Map-reduce condensing: the text's key points, in its own language, within about
 * `targetTokens`. Sizes are in the model's tokens: the overflow tells how many the text took,
 * and each note's output count how many it takes now. Each call fits the context by
 * construction, and a piece that still does not is halved. CONTEXT_OVERFLOW only if the text
 * cannot be made small enough.
 */
export async function condenseToFit(options: CondenseOptions): Promise<string> {
  const { overflow, model } = options;
  const system = options.chinese
    ? '把下面这段文章压缩成要点：保留事实、人物、数字和先后顺序，用原文的语言，只写连贯的句子。'
    : "Condense this part of an article to its key points: keep facts, names, numbers and order, in the article's language, as plain connected sentences.";
  let text = options.text;
  let tokens = Math.max(1, overflow.promptTokens - options.otherPromptTokens);
  const instructionTokens = Math.ceil(system.length * (tokens / Math.max(1, text.length))) + 48;
  for (let round = 1; tokens > options.targetTokens && round <= MAX_ROUNDS; round++) {
    const tokensPerChar = tokens / Math.max(1, text.length);
    const ceiling = Math.max(32, Math.min(256, Math.floor(overflow.contextSize / 8)));
    const pieceTokens = Math.floor(overflow.contextSize * 0.85) - ceiling - instructionTokens;
    if (pieceTokens < 32) break;
    const pieces = splitText(text, pieceTokens / tokensPerChar);
    // Output per piece: what lets all the notes together reach the target in this round.
    const maxOutputTokens = Math.max(32, Math.min(ceiling, Math.floor(options.targetTokens / pieces.length)));
    const notes: Note[] = [];
    for (const [index, piece] of pieces.entries()) {
      options.onCall?.({ round, piece: index + 1, pieces: pieces.length });
      notes.push(...(await condensePiece(model, system, piece, maxOutputTokens, options, 0)));
    }
    const kept = notes.filter((note) => note.text !== '');
    const nextTokens = kept.reduce((sum, note) => sum + note.tokens, 0);
    // No progress: the model writes as much as it reads; stop rather than loop.
    if (kept.length === 0 || nextTokens >= tokens) break;
    text = kept.map((note) => note.text).join(options.chinese ? '' : '\n\n');
    tokens = nextTokens;
  }
  if (tokens > options.targetTokens) {
    throw new ShenbiError('CONTEXT_OVERFLOW', `the text is ${options.text.length} characters and could not be condensed to fit the model's context of ${overflow.contextSize} tokens`, {
      hint: 'Use a model with a larger context, or shorten the text.',
      details: { ...overflow, textChars: options.text.length, condensedTokens: tokens, targetTokens: options.targetTokens },
    });
  }
  return text;
}

async function condensePiece(model: LanguageModel, system: string, piece: string, maxOutputTokens: number, options: CondenseOptions, halvings: number): Promise<Note[]> {
  try {
    const result = await generateText({
      model,
      system,
      prompt: piece,
      maxOutputTokens,
      temperature: 0.3,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.signal ? { abortSignal: options.signal } : {}),
      maxRetries: 0,
    });
    const text = result.text.trim();
    return [{ text, tokens: result.usage.outputTokens ?? maxOutputTokens }];
  } catch (error) {
    // Denser than estimated: halve the piece and condense both halves.
    if (contextOverflowOf(error) === undefined || halvings >= MAX_HALVINGS || piece.length < 2) throw error;
    const out: Note[] = [];
    for (const half of splitText(piece, Math.ceil(piece.length / 2))) out.push(...(await condensePiece(model, system, half, maxOutputTokens, options, halvings + 1)));
    return out;
  }
}

/**
 * Rewrite and continue when the text is longer than the context. Rewriting is done piece by
 * piece (each piece with its instruction fits, `maxOutputTokens` applies to each) and the
 * results are joined; continuing needs only the text's end, so the longest tail that fits is
 * continued.
 */
export async function longInputWriting(mode: 'rewrite' | 'continue', text: string, overflow: ContextOverflow, maxOutputTokens: number, write: (piece: string) => Promise<string>): Promise<string> {
  const tokensPerChar = overflow.promptTokens / Math.max(1, text.length);
  const room = Math.floor((overflow.contextSize - maxOutputTokens) * 0.8) - 48;
  if (room < 16) throw new ShenbiError('CONTEXT_OVERFLOW', `maxTokens ${maxOutputTokens} leaves no room for the text in the model's context of ${overflow.contextSize} tokens`, { hint: 'Lower maxTokens.', details: { ...overflow } });
  const maxChars = room / tokensPerChar;
  if (mode === 'continue') {
    // The longest tail that fits, starting at a sentence (the first, cut one is left out).
    const sentences = splitSentences(text.slice(-Math.floor(maxChars)));
    return write((sentences.length > 1 ? sentences.slice(1) : sentences).join(/\p{Script=Han}/u.test(text) ? '' : ' '));
  }
  const out: string[] = [];
  const rewrite = async (piece: string, halvings: number): Promise<void> => {
    try {
      out.push((await write(piece)).trim());
    } catch (error) {
      if (contextOverflowOf(error) === undefined || halvings >= MAX_HALVINGS || piece.length < 2) throw error;
      for (const half of splitText(piece, Math.ceil(piece.length / 2))) await rewrite(half, halvings + 1);
    }
  };
  for (const piece of splitText(text, maxChars)) await rewrite(piece, 0);
  return out.join(/\p{Script=Han}/u.test(text) ? '\n' : '\n\n');
}
