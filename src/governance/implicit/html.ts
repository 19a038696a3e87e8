import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';

/**
 * HTML: `<meta name="AIGC" content="<json>">` and `<meta name="shenbi" ...>` right after
 * `<head>`; browsers ignore unknown meta names. A document without `<head>` has no carrier.
 */

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const unescapeAttr = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const META = (name: string): RegExp => new RegExp(`<meta\\s+name\\s*=\\s*["']?${name}["']?\\s+content\\s*=\\s*(?:"([^"]*)"|'([^']*)')\\s*/?>`, 'gi');

/** null: no `<head>` to put the meta elements in. */
export function embedHtml(text: string, payload: ImplicitLabelPayload): string | null {
  const stripped = text.replace(new RegExp(`\\s*${META('AIGC').source}`, 'gi'), '').replace(new RegExp(`\\s*${META('shenbi').source}`, 'gi'), '');
  const head = /<head(?:\s[^>]*)?>/i.exec(stripped);
  if (head === null) return null;
  const at = head.index + head[0].length;
  const metas = `\n<meta name="AIGC" content="${escapeAttr(aigcJson(payload.aigc))}">\n<meta name="shenbi" content="${escapeAttr(shenbiJson(payload))}">`;
  return stripped.slice(0, at) + metas + stripped.slice(at);
}

export function readHtml(text: string): RawFindings {
  const values = (name: string): string[] => [...text.matchAll(META(name))].map((m) => unescapeAttr(m[1] ?? m[2] ?? ''));
  return { aigc: values('AIGC').map((value) => ({ placement: 'html-meta' as const, value })), ...parseShenbiJson(values('shenbi')[0] ?? null) };
}
