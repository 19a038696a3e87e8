import type { LabelRecord } from '../../core/artifact.ts';
import { labelSrt } from './subtitle.ts';

/** What a text labeler produced: new bytes (or the same ones) and the record describing it. */
export interface ExplicitResult {
  readonly bytes: Uint8Array;
  readonly record: LabelRecord;
}

export interface TextLabelOptions {
  readonly wording: string;
  readonly position: 'prefix' | 'suffix';
}

/** Line-comment syntax per code MIME subtype (after `text/` or `application/`, `x-` removed). */
const LINE_COMMENT: Readonly<Record<string, string>> = {
  javascript: '//', ecmascript: '//', typescript: '//', jsx: '//', tsx: '//', java: '//', c: '//', 'c++': '//', csrc: '//', chdr: '//',
  csharp: '//', go: '//', rust: '//', kotlin: '//', swift: '//', scala: '//', dart: '//', php: '//', css: '//', scss: '//', less: '//',
  python: '#', 'python-script': '#', ruby: '#', perl: '#', shellscript: '#', sh: '#', shell: '#', r: '#', yaml: '#', toml: '#', julia: '#', powershell: '#', makefile: '#',
  sql: '--', lua: '--', haskell: '--',
};
const BLOCK_COMMENT: Readonly<Record<string, readonly [string, string]>> = {
  html: ['<!-- ', ' -->'], xml: ['<!-- ', ' -->'], 'svg+xml': ['<!-- ', ' -->'], css: ['/* ', ' */'],
};

function subtype(mimeType: string): string {
  const base = mimeType.split(';')[0]!.trim().toLowerCase();
  return base.slice(base.indexOf('/') + 1).replace(/^x-/, '');
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function sidecar(bytes: Uint8Array, wording: string, reason: string): ExplicitResult {
  return { bytes, record: { type: 'aigc-explicit', placement: 'sidecar', value: { wording, reason } } };
}

/** Front matter (`---` … `---`) at the very start, which must stay first for YAML readers. */
function frontMatterEnd(text: string): number {
  const match = /^(?:\uFEFF)?---\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  return match ? match[0].length : 0;
}

/** Lines that must stay first in a code file: a shebang, then a Python/Ruby encoding cookie. */
function codeHeaderEnd(text: string): number {
  let end = 0;
  const lines = text.split('\n');
  if (lines[0]?.startsWith('#!')) end = lines[0].length + 1;
  const next = text.slice(end).split('\n')[0] ?? '';
  if (/^#.*coding[:=]/.test(next)) end += next.length + 1;
  return Math.min(end, text.length);
}

function insert(text: string, at: number, label: string, position: 'prefix' | 'suffix'): string {
  if (position === 'suffix') return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}\n${label}\n`;
  const before = text.slice(0, at);
  return `${before}${before !== '' && !before.endsWith('\n') ? '\n' : ''}${label}\n\n${text.slice(at)}`;
}

/**
 * Article 4(1) of the Measures: a text prompt at the start or end. Plain text gets the wording
 * as its own paragraph; Markdown a blockquote after any front matter (the implicit label lives
 * there); HTML a note at the top of <body>; code a comment in the language's syntax (after a
 * shebang). JSON (and anything unknown or not UTF-8) keeps its bytes: JSON has no comments and
 * a new key would break the schema consumers expect, so the label travels beside it (placement
 * 'sidecar': the API and studio show the wording next to the content, Art. 4(1)'s "文字周边").
 * Already-labeled text is left as it is, so re-storing an output does not stack labels.
 */
export function labelText(bytes: Uint8Array, mimeType: string, options: TextLabelOptions): ExplicitResult {
  const { wording, position } = options;
  const type = subtype(mimeType);
  if (type === 'json' || type.endsWith('+json')) return sidecar(bytes, wording, 'JSON has no comment syntax; a key would change the data');
  const text = utf8(bytes);
  if (text === undefined) return sidecar(bytes, wording, 'not UTF-8 text');
  const record = (placement: string, label: string): LabelRecord => ({
    type: 'aigc-explicit',
    placement,
    value: { wording, position, label },
  });
  const already = (label: string) => (position === 'prefix' ? text.slice(0, 2048) : text.slice(-2048)).includes(label);
  const done = (labeled: string, placement: string, label: string): ExplicitResult =>
    already(label) ? { bytes, record: record(placement, label) } : { bytes: Buffer.from(labeled, 'utf8'), record: record(placement, label) };

  if (type === 'markdown' || type === 'md') {
    const label = `> ${wording}`;
    return done(insert(text, frontMatterEnd(text), label, position), position === 'prefix' ? 'markdown-blockquote-start' : 'markdown-blockquote-end', label);
  }
  if (type === 'html') {
    const label = `<p class="aigc-label" role="note">${escapeHtml(wording)}</p>`;
    const body = /<body[^>]*>/i.exec(text);
    if (position === 'prefix' && body) return done(`${text.slice(0, body.index + body[0].length)}\n${label}${text.slice(body.index + body[0].length)}`, 'html-body-start', label);
    const close = text.toLowerCase().lastIndexOf('</body>');
    if (position === 'suffix' && close >= 0) return done(`${text.slice(0, close)}${label}\n${text.slice(close)}`, 'html-body-end', label);
    return done(insert(text, 0, label, position), `text-${position}`, label);
  }
  const line = LINE_COMMENT[type];
  const block = BLOCK_COMMENT[type];
  if (line !== undefined || block !== undefined) {
    const label = line !== undefined ? `${line} ${wording}` : `${block![0]}${wording}${block![1]}`;
    return done(insert(text, codeHeaderEnd(text), label, position), `code-comment-${position === 'prefix' ? 'start' : 'end'}`, label);
  }
  if (type === 'plain' || type === '') return done(insert(text, 0, wording, position), `text-${position}`, wording);
  if (type === 'subrip' || type === 'srt') {
    const labeled = labelSrt(text, wording, position);
    if (labeled !== undefined) return done(labeled, `srt-cue-${position === 'prefix' ? 'start' : 'end'}`, wording);
  }
  return sidecar(bytes, wording, `no in-file text label for ${mimeType}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
