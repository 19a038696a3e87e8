import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';

/** CLIP's context length: every Stable Diffusion text encoder takes exactly 77 tokens. */
export const CLIP_CONTEXT = 77;

const BOS = '<|startoftext|>';
const EOS = '<|endoftext|>';

// CLIP's pre-tokenizer: special tokens, English contractions, letter runs, single digits, other symbol runs.
const PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

/** GPT-2/CLIP byte-to-unicode table: every byte becomes a printable character, so BPE never sees raw bytes. */
function byteEncoder(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return table;
}
const BYTE_TO_CHAR = byteEncoder();

export interface TokenizedPrompt {
  /** Exactly 77 ids: start token, the prompt, end token, padding. */
  ids: Int32Array;
  /** True when the prompt had more than 75 tokens and the tail was cut (CLIP's convention). */
  truncated: boolean;
}

const vocabSchema = z.record(z.string(), z.number().int().min(0));
const padSchema = z.object({ pad_token: z.union([z.string(), z.object({ content: z.string() })]).optional() }).loose();

/** The CLIP BPE tokenizer of a diffusers model folder (tokenizer/vocab.json + merges.txt). */
export class ClipTokenizer {
  readonly #vocab: Map<string, number>;
  readonly #ranks: Map<string, number>;
  readonly #cache = new Map<string, string[]>();
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;

  constructor(vocab: Record<string, number>, merges: readonly string[], padToken: string = EOS) {
    this.#vocab = new Map(Object.entries(vocab));
    this.#ranks = new Map(merges.map((m, i) => [m, i]));
    const id = (token: string) => {
      const found = this.#vocab.get(token);
      if (found === undefined) throw new ShenbiError('MODEL_INVALID', `the tokenizer vocabulary has no ${token} token`);
      return found;
    };
    this.bos = id(BOS);
    this.eos = id(EOS);
    this.pad = this.#vocab.get(padToken) ?? this.eos;
  }

  /** Reads `tokenizer/vocab.json`, `tokenizer/merges.txt` and the pad token from `tokenizer_config.json` if present. */
  static async fromDir(tokenizerDir: string): Promise<ClipTokenizer> {
    const read = async (file: string) => {
      try {
        return await readFile(join(tokenizerDir, file), 'utf8');
      } catch (error) {
        throw new ShenbiError('MODEL_NOT_INSTALLED', `tokenizer file missing: ${join(tokenizerDir, file)}`, { cause: error });
      }
    };
    let vocab: Record<string, number>;
    try {
      vocab = vocabSchema.parse(JSON.parse(await read('vocab.json')));
    } catch (error) {
      if (error instanceof ShenbiError) throw error;
      throw new ShenbiError('MODEL_INVALID', `${join(tokenizerDir, 'vocab.json')} is not a token-to-id JSON object`, { cause: error });
    }
    // First line of merges.txt is a "#version" header; blank lines carry nothing.
    const merges = (await read('merges.txt')).split('\n').filter((line) => line.length > 0 && !line.startsWith('#version'));
    let padToken = EOS;
    try {
      const config = padSchema.parse(JSON.parse(await readFile(join(tokenizerDir, 'tokenizer_config.json'), 'utf8')));
      if (config.pad_token !== undefined) padToken = typeof config.pad_token === 'string' ? config.pad_token : config.pad_token.content;
    } catch {
      // No or unreadable config: SD 1.x pads with the end token, as CLIP itself does.
    }
    return new ClipTokenizer(vocab, merges, padToken);
  }

  /** Text to the 77 ids the text encoder takes: lower-cased, whitespace collapsed, truncated, padded. */
  encode(text: string): TokenizedPrompt {
    const clean = text.replace(/\s+/g, ' ').trim().toLowerCase();
    const ids: number[] = [];
    for (const match of clean.matchAll(PATTERN)) {
      const piece = match[0];
      if (piece === BOS || piece === EOS) {
        ids.push(piece === BOS ? this.bos : this.eos);
        continue;
      }
      const chars = [...Buffer.from(piece, 'utf8')].map((b) => BYTE_TO_CHAR[b]!).join('');
      for (const token of this.#bpe(chars)) ids.push(this.#vocab.get(token) ?? this.eos);
    }
    const room = CLIP_CONTEXT - 2;
    const truncated = ids.length > room;
    const out = new Int32Array(CLIP_CONTEXT).fill(this.pad);
    out[0] = this.bos;
    const kept = ids.slice(0, room);
    out.set(kept, 1);
    out[kept.length + 1] = this.eos;
    return { ids: out, truncated };
  }

  #bpe(word: string): string[] {
    const cached = this.#cache.get(word);
    if (cached) return cached;
    const chars = [...word];
    let parts = [...chars.slice(0, -1), `${chars.at(-1)!}</w>`];
    while (parts.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < parts.length - 1; i++) {
        const rank = this.#ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const a = parts[best]!;
      const b = parts[best + 1]!;
      // Merge every occurrence of the winning pair, left to right, as the reference implementation does.
      const merged: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i < parts.length - 1 && parts[i] === a && parts[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(parts[i]!);
      }
      parts = merged;
    }
    if (this.#cache.size < 10_000) this.#cache.set(word, parts);
    return parts;
  }
}
