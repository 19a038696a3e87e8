import { AIGC_KEYS } from '../aigc.ts';
import { reproductionRecordSchema, type ImplicitLabelPayload } from './payload.ts';
import type { RawAigc, RawFindings } from './types.ts';

/**
 * Markdown: YAML front matter with an `AIGC:` map of the seven keys, values single-quoted
 * (TC260-PG-20258A), and a `Shenbi:` map beside it. Existing front matter is kept; only
 * these two top-level keys are replaced. A file without front matter gets one.
 */

interface FrontMatter {
  /** Index of the first line inside the front matter, and of the closing fence line. */
  open: number;
  close: number;
}

function frontMatter(lines: string[]): FrontMatter | null {
  if (lines[0]?.replace(/^\uFEFF/, '').trimEnd() !== '---') return null;
  for (let i = 1; i < lines.length; i++) if (/^(?:---|\.\.\.)\s*$/.test(lines[i]!)) return { open: 1, close: i };
  return null;
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function yamlScalar(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t.slice(1, -1);
    }
  }
  if (t === '' || t === '~' || t === 'null') return null;
  if (/^[-+]?\d+(?:\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return t;
}

/** The top-level key's value: a block map of scalars, or an inline (flow / quoted JSON) value. */
function topLevelEntries(lines: string[], fm: FrontMatter, key: string): (string | Record<string, unknown>)[] {
  const found: (string | Record<string, unknown>)[] = [];
  const head = new RegExp(`^${key}\\s*:(.*)$`, 'i');
  for (let i = fm.open; i < fm.close; i++) {
    const m = head.exec(lines[i]!);
    if (m === null) continue;
    const inline = m[1]!.trim();
    if (inline !== '') {
      const value = inline.startsWith('{') ? inline : yamlScalar(inline);
      found.push(typeof value === 'string' ? value : String(value));
      continue;
    }
    const map: Record<string, unknown> = {};
    for (let j = i + 1; j < fm.close && /^\s+\S/.test(lines[j]!); j++) {
      const child = /^\s+([A-Za-z0-9_]+)\s*:(.*)$/.exec(lines[j]!);
      if (child !== null) map[child[1]!] = yamlScalar(child[2]!);
    }
    found.push(map);
  }
  return found;
}

/** Removes a top-level key and its indented block. */
function withoutKey(lines: string[], key: string): string[] {
  const head = new RegExp(`^${key}\\s*:`, 'i');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!head.test(lines[i]!)) {
      out.push(lines[i]!);
      continue;
    }
    while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1]!)) i++;
  }
  return out;
}

function ourBlock(payload: ImplicitLabelPayload): string[] {
  const r = payload.reproduction;
  const scalar = (v: string | number | null): string => (v === null ? 'null' : typeof v === 'number' ? String(v) : quote(v));
  return [
    'AIGC:',
    ...AIGC_KEYS.map((k) => `  ${k}: ${quote(payload.aigc[k])}`),
    'Shenbi:',
    `  DigitalSourceType: ${quote(payload.digitalSourceType)}`,
    `  Engine: ${scalar(r.engine)}`,
    `  Model: ${scalar(r.model)}`,
    `  ModelHash: ${scalar(r.modelHash)}`,
    `  Seed: ${scalar(r.seed)}`,
    `  ParameterHash: ${scalar(r.parameterHash)}`,
  ];
}

export function embedMarkdown(text: string, payload: ImplicitLabelPayload): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const fm = frontMatter(lines);
  if (fm === null) return ['---', ...ourBlock(payload), '---', ''].join(eol) + text.replace(/^\uFEFF/, '');
  const inner = withoutKey(withoutKey(lines.slice(fm.open, fm.close), 'AIGC'), 'Shenbi');
  return [lines[0]!, ...inner, ...ourBlock(payload), ...lines.slice(fm.close)].join(eol);
}

export function readMarkdown(text: string): RawFindings {
  const lines = text.split(/\r?\n/);
  const fm = frontMatter(lines);
  if (fm === null) return { aigc: [], digitalSourceType: null, reproduction: null };
  const aigc: RawAigc[] = topLevelEntries(lines, fm, 'AIGC').map((value) => ({ placement: 'front-matter', value }));
  const shenbi = topLevelEntries(lines, fm, 'Shenbi').find((v) => typeof v !== 'string');
  const record = shenbi === undefined ? null : (shenbi as Record<string, unknown>);
  const reproduction = record === null ? null : reproductionRecordSchema.safeParse({ engine: record.Engine, model: record.Model, modelHash: record.ModelHash, seed: record.Seed, parameterHash: record.ParameterHash });
  return {
    aigc,
    digitalSourceType: typeof record?.DigitalSourceType === 'string' ? record.DigitalSourceType : null,
    reproduction: reproduction?.success === true ? reproduction.data : null,
  };
}
