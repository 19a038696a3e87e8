/** Advanced SubStation Alpha (.ass) with one `Default` style, as libass renders it. */
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { checkCues, clockSeconds, formatClock, malformed, normalizeLines, splitLines } from './timecode.ts';
import type { AssOptions, Cue } from './types.ts';

const ASS_CLOCK = { digits: 2, separator: '.', hourDigits: 1 } as const;
const STYLE_FORMAT =
  'Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding';
const EVENT_FORMAT = 'Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text';
/** Word joiner: placed after a literal backslash that would otherwise start an escape (`\N`, `\{`). */
const WJ = '\u2060';

const colour = z
  .string()
  .regex(/^(?:#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?|&H[0-9a-fA-F]{6,8}&?)$/, 'expected #RRGGBB, #RRGGBBAA or &HAABBGGRR');
const noComma = z.string().min(1).refine((s) => !/[,\r\n]/.test(s), 'must not contain commas or newlines');

const optionsSchema = z.object({
  fontName: noComma.default('Noto Sans CJK SC'),
  fontSize: z.number().positive().optional(),
  playResX: z.number().int().positive().default(1920),
  playResY: z.number().int().positive().default(1080),
  marginV: z.number().nonnegative().optional(),
  marginL: z.number().nonnegative().optional(),
  marginR: z.number().nonnegative().optional(),
  outline: z.number().nonnegative().optional(),
  shadow: z.number().nonnegative().default(0),
  bold: z.boolean().default(false),
  alignment: z.number().int().min(1).max(9).default(2),
  borderStyle: z.union([z.literal(1), z.literal(3)]).default(1),
  primaryColour: colour.default('#FFFFFF'),
  secondaryColour: colour.default('#FF0000'),
  outlineColour: colour.default('#000000'),
  backColour: colour.default('#00000080'),
  title: z.string().refine((s) => !/[\r\n]/.test(s), 'must not contain newlines').optional(),
});

/** `#RRGGBB[AA]` (AA = opacity) to ASS `&HAABBGGRR` (AA = transparency). */
function assColour(value: string): string {
  if (value.startsWith('&H')) {
    const hex = value.slice(2).replace(/&$/, '').toUpperCase();
    return `&H${hex.padStart(8, '0')}`;
  }
  const r = value.slice(1, 3);
  const g = value.slice(3, 5);
  const b = value.slice(5, 7);
  const opacity = value.length === 9 ? Number.parseInt(value.slice(7, 9), 16) : 255;
  const alpha = (255 - opacity).toString(16).padStart(2, '0');
  return `&H${alpha}${b}${g}${r}`.toUpperCase();
}

function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * One line as ASS text shown literally: braces become `\{` `\}`, and a backslash that would
 * start an escape gets a word joiner after it (ASS has no escape for the backslash itself).
 */
function escapeLine(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '{' || ch === '}') out += `\\${ch}`;
    else if (ch === '\\') out += i + 1 < line.length && 'Nnh{}'.includes(line[i + 1]!) ? `\\${WJ}` : '\\';
    else out += ch;
  }
  return out;
}

export function writeAss(cues: readonly Cue[], options: AssOptions = {}): string {
  checkCues(cues, 'ASS');
  const o = parseOrThrow(optionsSchema, options, 'ASS options');
  const fontSize = o.fontSize ?? Math.round(o.playResY / 18);
  const marginV = o.marginV ?? Math.round(o.playResY / 20);
  const marginL = o.marginL ?? Math.round(o.playResX / 32);
  const marginR = o.marginR ?? marginL;
  const outline = o.outline ?? Math.max(1, Math.round(fontSize / 20));
  const style = [
    'Default', o.fontName, num(fontSize), assColour(o.primaryColour), assColour(o.secondaryColour), assColour(o.outlineColour),
    assColour(o.backColour), o.bold ? -1 : 0, 0, 0, 0, 100, 100, 0, 0, o.borderStyle, num(outline), num(o.shadow), o.alignment,
    Math.round(marginL), Math.round(marginR), Math.round(marginV), 1,
  ].join(',');
  const events = cues.map((cue) => {
    const text = normalizeLines(cue.lines).map(escapeLine).join('\\N');
    return `Dialogue: 0,${formatClock(cue.start, ASS_CLOCK)},${formatClock(cue.end, ASS_CLOCK)},Default,,0,0,0,,${text}`;
  });
  return [
    '[Script Info]',
    ...(o.title === undefined ? [] : [`Title: ${o.title}`]),
    'ScriptType: v4.00+',
    `PlayResX: ${o.playResX}`,
    `PlayResY: ${o.playResY}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: None',
    '',
    '[V4+ Styles]',
    `Format: ${STYLE_FORMAT}`,
    `Style: ${style}`,
    '',
    '[Events]',
    `Format: ${EVENT_FORMAT}`,
    ...events,
    '',
  ].join('\n');
}

/** Dialogue text as displayed lines: override blocks removed, escapes resolved. */
function displayLines(text: string): string[] {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '{') {
      const close = text.indexOf('}', i + 1);
      if (close >= 0) {
        i = close; // override tags such as {\b1} or comments are not shown
        continue;
      }
      out += ch;
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next === 'N' || next === 'n') out += '\n';
      else if (next === 'h') out += '\u00A0';
      else if (next === '{' || next === '}') out += next;
      else if (next === WJ) out += '\\';
      else {
        out += '\\';
        continue;
      }
      i++;
    } else out += ch;
  }
  return out.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
}

const ASS_TIME = /^\s*(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d{1,3}))?\s*$/;

function readTime(value: string | undefined): number | undefined {
  const m = ASS_TIME.exec(value ?? '');
  return m === null ? undefined : clockSeconds(m[1], m[2]!, m[3]!, m[4]);
}

/** Reads the Dialogue events of an ASS/SSA script in file order; Comment events are skipped. */
export function parseAss(text: string): Cue[] {
  const lines = splitLines(text);
  let section = '';
  let sawEvents = false;
  let format = EVENT_FORMAT.split(',').map((f) => f.trim().toLowerCase());
  const cues: Cue[] = [];
  lines.forEach((line, index) => {
    const header = /^\s*\[(.+)\]\s*$/.exec(line);
    if (header !== null) {
      section = header[1]!.trim().toLowerCase();
      if (section === 'events') sawEvents = true;
      return;
    }
    if (section !== 'events') return;
    const field = /^\s*([A-Za-z]+)\s*:\s?(.*)$/.exec(line);
    if (field === null) return;
    const kind = field[1]!.toLowerCase();
    if (kind === 'format') {
      format = field[2]!.split(',').map((f) => f.trim().toLowerCase());
      if (!format.includes('text') || !format.includes('start') || !format.includes('end')) {
        throw malformed('ASS', index + 1, line, 'the Format line must name Start, End and Text');
      }
      return;
    }
    if (kind !== 'dialogue') return;
    // Text is the last field and may itself contain commas.
    const values: string[] = [];
    let rest = field[2]!;
    for (let f = 0; f < format.length - 1; f++) {
      const comma = rest.indexOf(',');
      if (comma < 0) throw malformed('ASS', index + 1, line, `expected ${format.length} comma-separated fields`);
      values.push(rest.slice(0, comma));
      rest = rest.slice(comma + 1);
    }
    values.push(rest);
    const start = readTime(values[format.indexOf('start')]);
    const end = readTime(values[format.indexOf('end')]);
    if (start === undefined || end === undefined || end < start) {
      throw malformed('ASS', index + 1, line, 'expected Start and End times like 0:00:01.50');
    }
    cues.push({ start, end, lines: displayLines(values[format.indexOf('text')]!) });
  });
  if (!sawEvents) {
    throw new ShenbiError('MEDIA_INVALID', 'Not an ASS/SSA script: it has no [Events] section.', { details: { format: 'ASS' } });
  }
  return cues;
}
