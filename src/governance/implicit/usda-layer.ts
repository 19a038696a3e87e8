import { mediaInvalid } from './bytes.ts';

/**
 * The layer metadata of a USD ASCII layer (`#usda 1.0`, then an optional `( … )` block):
 * its `doc` string and the string entries of its `customLayerData` dictionary, read and
 * edited as text so everything else in the layer (prims, meshes) keeps its bytes. The
 * scanner knows USDA's literals — "…", '…', triple-quoted strings, @asset@ and @@@asset@@@
 * paths — and `#` comments, so a brace or quote inside one is never taken for syntax.
 */

export interface LayerStringEntry {
  readonly key: string;
  readonly value: string;
}

export interface LayerMetadata {
  readonly doc: string | null;
  /** `string NAME = "…"` entries at the top of customLayerData, in order. */
  readonly customStrings: LayerStringEntry[];
}

export interface LayerMetadataEdit {
  /** customLayerData string keys to drop first (re-labeling replaces, never appends). */
  readonly removeKeys: (key: string) => boolean;
  readonly addStrings: readonly LayerStringEntry[];
  /** New `doc` text (replacing any), or undefined to keep it. */
  readonly doc?: (existing: string | null) => string;
}

interface Range {
  readonly start: number;
  readonly end: number;
}

const HEADER = /^\uFEFF?#usda [0-9.]+[^\n]*\n?/;

/** Whether the bytes of a layer are USD ASCII (the crate format starts with "PXR-USDC"). */
export function isUsdaText(text: string): boolean {
  return HEADER.test(text);
}

export function readLayerMetadata(text: string): LayerMetadata {
  const block = metadataBlock(text);
  if (block === null) return { doc: null, customStrings: [] };
  const statements = splitStatements(text, block.start + 1, block.end - 1);
  const dict = customLayerData(text, statements);
  return {
    doc: docValue(text, statements),
    customStrings: dict === null ? [] : stringEntries(text, dict).map(({ key, value }) => ({ key, value })),
  };
}

function docStatement(text: string, statements: readonly Range[]): Range | undefined {
  return statements.find((s) => /^doc\s*=/.test(text.slice(s.start, s.end)));
}

function docValue(text: string, statements: readonly Range[]): string | null {
  const doc = docStatement(text, statements);
  return doc === undefined ? null : stringLiteralValue(text.slice(doc.start, doc.end).replace(/^doc\s*=\s*/, ''));
}

/** The layer with its metadata edited: listed keys removed, new string entries appended to customLayerData, `doc` set. */
export function editLayerMetadata(text: string, edit: LayerMetadataEdit): string {
  let out = text;
  let block = metadataBlock(out);
  if (block === null) {
    const header = HEADER.exec(out)![0];
    out = `${header.endsWith('\n') ? header : `${header}\n`}(\n)\n${out.slice(header.length)}`;
    block = metadataBlock(out)!;
  }
  const statements = splitStatements(out, block.start + 1, block.end - 1);
  let dict = customLayerData(out, statements);
  if (dict === null) {
    const at = block.start + 1;
    out = `${out.slice(0, at)}\n\tcustomLayerData = {\n\t}${out.slice(at)}`;
    block = metadataBlock(out)!;
    dict = customLayerData(out, splitStatements(out, block.start + 1, block.end - 1))!;
  }
  // Removals from the end so earlier offsets hold; each takes its line's leading whitespace.
  for (const entry of stringEntries(out, dict).filter((e) => edit.removeKeys(e.key)).reverse()) {
    const lineStart = out.lastIndexOf('\n', entry.start - 1);
    const from = /^[ \t]*$/.test(out.slice(lineStart + 1, entry.start)) ? lineStart : entry.start;
    out = out.slice(0, from) + out.slice(entry.end);
  }
  block = metadataBlock(out)!;
  dict = customLayerData(out, splitStatements(out, block.start + 1, block.end - 1))!;
  const close = dict.end - 1;
  const before = out.slice(0, close).replace(/[ \t]*$/, '');
  const added = edit.addStrings.map((e) => `\t\tstring ${e.key} = ${usdaString(e.value)}\n`).join('');
  out = `${before}${before.endsWith('\n') ? '' : '\n'}${added}\t${out.slice(close)}`;
  if (edit.doc !== undefined) {
    block = metadataBlock(out)!;
    const all = splitStatements(out, block.start + 1, block.end - 1);
    const existing = docStatement(out, all);
    const statement = `doc = ${usdaString(edit.doc(docValue(out, all)))}`;
    out = existing === undefined ? `${out.slice(0, block.end - 1).replace(/\s*$/, '')}\n\t${statement}\n${out.slice(block.end - 1)}` : out.slice(0, existing.start) + statement + out.slice(existing.end);
  }
  return out;
}

/** A USDA string literal: double-quoted, backslash escapes, control characters as \xNN. */
export function usdaString(value: string): string {
  const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${escaped}"`;
}

/** The `( … )` after the header line, as [open paren, past close paren); null when the layer has none. */
function metadataBlock(text: string): Range | null {
  const header = HEADER.exec(text);
  if (header === null) throw mediaInvalid('USDZ', 'its default layer does not start with "#usda"');
  const at = skipSpaceAndComments(text, header[0].length);
  if (text[at] !== '(') return null;
  const end = matchingClose(text, at);
  if (end === null) throw mediaInvalid('USDZ', 'the layer metadata block is not closed');
  return { start: at, end };
}

/** The customLayerData dictionary's `{ … }` range (past the closing brace) among the layer's statements. */
function customLayerData(text: string, statements: readonly Range[]): Range | null {
  for (const s of statements) {
    const m = /^customLayerData\s*=\s*\{/.exec(text.slice(s.start, s.end));
    if (m === null) continue;
    const open = s.start + m[0].length - 1;
    const end = matchingClose(text, open);
    if (end === null) throw mediaInvalid('USDZ', 'customLayerData is not closed');
    return { start: open, end };
  }
  return null;
}

function stringEntries(text: string, dict: Range): Array<LayerStringEntry & Range> {
  const found: Array<LayerStringEntry & Range> = [];
  for (const s of splitStatements(text, dict.start + 1, dict.end - 1)) {
    const m = /^string\s+(?:([A-Za-z_][\w:]*)|("(?:[^"\\\n]|\\.)*"))\s*=\s*/.exec(text.slice(s.start, s.end));
    if (m === null) continue;
    const value = stringLiteralValue(text.slice(s.start + m[0].length, s.end));
    if (value === null) continue;
    found.push({ key: m[1] ?? stringLiteralValue(m[2]!) ?? '', value, start: s.start, end: s.end });
  }
  return found;
}

/** Statements between `from` and `to` at nesting depth 0, split at newlines and `;`, comments and blanks skipped. */
function splitStatements(text: string, from: number, to: number): Range[] {
  const statements: Range[] = [];
  let start = -1;
  let last = -1;
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (c === '\n' || c === ';') {
      if (start >= 0) statements.push({ start, end: last });
      start = -1;
      i++;
      continue;
    }
    if (c === '#') {
      while (i < to && text[i] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (start < 0) start = i;
    const next = c === '(' || c === '{' || c === '[' ? matchingClose(text, i) : skipLiteral(text, i);
    if (next === null || next > to) throw mediaInvalid('USDZ', 'the layer metadata has an unclosed bracket or string');
    i = next ?? i + 1;
    last = i;
  }
  if (start >= 0) statements.push({ start, end: last });
  return statements;
}

/** Index past the bracket matching the one at `open` (null when unclosed). */
function matchingClose(text: string, open: number): number | null {
  const closers: string[] = [];
  let i = open;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '(' || c === '{' || c === '[') {
      closers.push(c === '(' ? ')' : c === '{' ? '}' : ']');
      i++;
    } else if (c === ')' || c === '}' || c === ']') {
      if (closers.pop() !== c) return null;
      i++;
      if (closers.length === 0) return i;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else {
      const next = skipLiteral(text, i);
      if (next === null) return null;
      i = next;
    }
  }
  return null;
}

/** Past the literal starting at `i` (a string or asset path), i + 1 for any other character, null when unterminated. */
function skipLiteral(text: string, i: number): number | null {
  const c = text[i];
  if (c === '"' || c === "'") {
    const triple = c.repeat(3);
    if (text.startsWith(triple, i)) {
      const end = text.indexOf(triple, i + 3);
      return end < 0 ? null : end + 3;
    }
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === c) return j + 1;
      else if (text[j] === '\n') return null;
    }
    return null;
  }
  if (c === '@') {
    const delimiter = text.startsWith('@@@', i) ? '@@@' : '@';
    const end = text.indexOf(delimiter, i + delimiter.length);
    return end < 0 ? null : end + delimiter.length;
  }
  return i + 1;
}

function skipSpaceAndComments(text: string, i: number): number {
  while (i < text.length) {
    if (/\s/.test(text[i]!)) i++;
    else if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i;
}

/** The value of a lone string literal (the whole of `literal`, trimmed), or null when it is something else. */
function stringLiteralValue(literal: string): string | null {
  const s = literal.trim();
  const q = s[0];
  if (q !== '"' && q !== "'") return null;
  const triple = q.repeat(3);
  if (s.length >= 6 && s.startsWith(triple) && s.endsWith(triple)) return unescape(s.slice(3, -3));
  if (s.length < 2 || skipLiteral(s, 0) !== s.length) return null;
  return unescape(s.slice(1, -1));
}

function unescape(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' }[e] ?? e;
  });
}
