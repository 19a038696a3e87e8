import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import { mediaInvalid } from './bytes.ts';
import type { RawFindings } from './types.ts';

/**
 * BVH (motion capture) has no comment syntax, and its readers are strict about where text may
 * go: Blender's importer (io_anim_bvh, read_bvh) refuses a file whose first word is not
 * HIERARCHY and parses every line after "Frame Time" as a frame of numbers, so neither a
 * header comment block nor trailing lines survive it; three.js's BVHLoader also expects
 * HIERARCHY first. Both read only the first two words of an `End Site` line (Blender: "there
 * is sometimes a name after 'End Site' but we will ignore it"), so the label lives there: the
 * first End Site line of the file ends with `AIGC=<json> SHENBI=<json>`, each one word (its
 * whitespace and non-ASCII characters written as JSON \u escapes, so a whitespace-splitting
 * reader never breaks it and the JSON still parses). The explicit notice (explicit/motion-bvh.ts)
 * is the plain words before them on the same line.
 */

const BOM = /^\uFEFF/;
const END_SITE = /^([ \t]*End[ \t]+Site)([^\r\n]*)$/gm;
const AIGC_WORD = /^AIGC=/;
const SHENBI_WORD = /^SHENBI=/;

export const isBvhText = (text: string): boolean => /^\s*HIERARCHY\s/.test(text.replace(BOM, ''));

/** JSON as one word: whitespace and non-ASCII as \u escapes (still the same JSON value). */
export function oneWordJson(json: string): string {
  return json.replace(/[\s\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const isLabelWord = (word: string): boolean => AIGC_WORD.test(word) || SHENBI_WORD.test(word);

/** The words after `End Site` on a line. */
const wordsOf = (rest: string): string[] => rest.trim().split(/\s+/).filter((w) => w !== '');

function checked(text: string): void {
  if (!isBvhText(text)) throw mediaInvalid('BVH', 'it does not start with HIERARCHY');
  END_SITE.lastIndex = 0;
  if (!END_SITE.test(text)) throw mediaInvalid('BVH', 'it has no End Site, the one line BVH readers let carry extra words');
}

/**
 * Rewrites the words after `End Site`: on every End Site line `keep` picks which stay, and the
 * first line gets `add` after them. Other End Site lines keep their non-label words.
 */
export function editFirstEndSite(text: string, edit: (words: string[], first: boolean) => string[]): string {
  checked(text);
  let first = true;
  return text.replace(END_SITE, (_, head: string, rest: string) => {
    const words = edit(wordsOf(rest), first);
    first = false;
    return words.length === 0 ? head : `${head} ${words.join(' ')}`;
  });
}

export function embedBvh(text: string, payload: ImplicitLabelPayload): string {
  const ours = [`AIGC=${oneWordJson(aigcJson(payload.aigc))}`, `SHENBI=${oneWordJson(shenbiJson(payload))}`];
  return editFirstEndSite(text, (words, first) => [...words.filter((w) => !isLabelWord(w)), ...(first ? ours : [])]);
}

export function readBvh(text: string): RawFindings {
  if (!isBvhText(text)) throw mediaInvalid('BVH', 'it does not start with HIERARCHY');
  const words = [...text.matchAll(END_SITE)].flatMap((m) => wordsOf(m[2]!));
  const aigc = words.filter((w) => AIGC_WORD.test(w)).map((w) => ({ placement: 'bvh-end-site' as const, value: w.slice('AIGC='.length) }));
  const shenbi = words.find((w) => SHENBI_WORD.test(w))?.slice('SHENBI='.length) ?? null;
  return { aigc, ...parseShenbiJson(shenbi) };
}

/** The explicit notice: the plain (non-label) words on the first End Site line. */
export function bvhNotice(text: string): string | null {
  const first = [...text.matchAll(END_SITE)][0];
  if (first === undefined) return null;
  const words = wordsOf(first[2]!).filter((w) => !isLabelWord(w));
  return words.length === 0 ? null : words.join(' ');
}
