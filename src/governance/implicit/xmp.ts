import { aigcJson, reproductionRecordSchema, type ImplicitLabelPayload, type ReproductionRecord } from './payload.ts';
import type { RawAigc, RawFindings } from './types.ts';

/**
 * The XMP packet shared by PNG, JPEG and WebP: `TC260:AIGC` (TC260-PG-20259A), the IPTC
 * `Iptc4xmpExt:DigitalSourceType`, and the reproduction record in a Shenbi namespace. An
 * existing packet is kept: only these properties are replaced, in a Description of their own.
 */

export const TC260_NS = 'http://www.tc260.org.cn/ns/AIGC/1.0/';
export const IPTC_EXT_NS = 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/';
/** A URN rather than a URL: nothing needs to resolve it, and it claims no domain. */
export const SHENBI_NS = 'urn:shenbi:xmp:reproduction:1.0#';
const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|lt|gt|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }[e] ?? '';
  });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every prefix the packet binds to `uri` (writers pick their own). */
function prefixesFor(xml: string, uri: string): string[] {
  const re = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${escapeRegExp(uri)}["']`, 'g');
  return [...new Set([...xml.matchAll(re)].map((m) => m[1]!))];
}

/** Values of property `prefix:name` in element or attribute form. */
function propertyValues(xml: string, prefix: string, name: string): string[] {
  const qn = escapeRegExp(`${prefix}:${name}`);
  const values: string[] = [];
  for (const m of xml.matchAll(new RegExp(`<${qn}(?:\\s[^>]*)?>([\\s\\S]*?)</${qn}>`, 'g'))) values.push(unescapeXml(m[1]!));
  for (const m of xml.matchAll(new RegExp(`\\s${qn}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g'))) values.push(unescapeXml(m[1] ?? m[2] ?? ''));
  return values;
}

function removeProperty(xml: string, prefix: string, name: string): string {
  const qn = escapeRegExp(`${prefix}:${name}`);
  return xml
    .replace(new RegExp(`\\s*<${qn}(?:\\s[^>]*)?>[\\s\\S]*?</${qn}>`, 'g'), '')
    .replace(new RegExp(`\\s*<${qn}(?:\\s[^>]*)?/>`, 'g'), '')
    .replace(new RegExp(`\\s${qn}\\s*=\\s*(?:"[^"]*"|'[^']*')`, 'g'), '');
}

/** Removes every property this module writes, so a re-label replaces instead of duplicating. */
function stripOurProperties(xml: string): string {
  let out = xml;
  for (const p of prefixesFor(out, TC260_NS)) out = removeProperty(out, p, 'AIGC');
  for (const p of prefixesFor(out, IPTC_EXT_NS)) out = removeProperty(out, p, 'DigitalSourceType');
  for (const p of prefixesFor(out, SHENBI_NS)) out = removeProperty(out, p, '[A-Za-z_][\\w.-]*');
  // Descriptions left empty by the removal (e.g. our own from an earlier label) go too.
  return out.replace(/\s*<rdf:Description(?:\s[^>]*)?>\s*<\/rdf:Description>/g, '').replace(/\s*<rdf:Description(?:\s[^>]*)?\/>/g, '');
}

function ourDescription(payload: ImplicitLabelPayload): string {
  const r = payload.reproduction;
  const props: [string, string | null][] = [
    ['shenbi:Engine', r.engine],
    ['shenbi:Model', r.model],
    ['shenbi:ModelHash', r.modelHash],
    ['shenbi:Seed', r.seed === null ? null : String(r.seed)],
    ['shenbi:ParameterHash', r.parameterHash],
  ];
  return [
    `  <rdf:Description rdf:about="" xmlns:TC260="${TC260_NS}" xmlns:Iptc4xmpExt="${IPTC_EXT_NS}" xmlns:shenbi="${SHENBI_NS}">`,
    `   <TC260:AIGC>${escapeText(aigcJson(payload.aigc))}</TC260:AIGC>`,
    `   <Iptc4xmpExt:DigitalSourceType>${escapeText(payload.digitalSourceType)}</Iptc4xmpExt:DigitalSourceType>`,
    ...props.filter(([, v]) => v !== null).map(([k, v]) => `   <${k}>${escapeText(v!)}</${k}>`),
    '  </rdf:Description>',
  ].join('\n');
}

/** A complete packet: the existing one with our properties replaced, or a new one. */
export function buildXmpPacket(existing: string | null, payload: ImplicitLabelPayload): string {
  const description = ourDescription(payload);
  if (existing !== null) {
    const stripped = stripOurProperties(existing);
    const rdf = prefixesFor(stripped, RDF_NS)[0];
    const close = rdf === undefined ? -1 : stripped.lastIndexOf(`</${rdf}:RDF>`);
    // Our Description uses the rdf prefix literally; merge only where the packet does too.
    if (rdf === 'rdf' && close >= 0) return `${stripped.slice(0, close).trimEnd()}\n${description}\n ${stripped.slice(close)}`;
  }
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ` <rdf:RDF xmlns:rdf="${RDF_NS}">`,
    description,
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** The AIGC label, source type and reproduction record in one XMP packet. */
export function readXmp(xml: string): RawFindings {
  const aigc: RawAigc[] = prefixesFor(xml, TC260_NS).flatMap((p) => propertyValues(xml, p, 'AIGC').map((value) => ({ placement: 'xmp' as const, value })));
  const dst = prefixesFor(xml, IPTC_EXT_NS).flatMap((p) => propertyValues(xml, p, 'DigitalSourceType'))[0] ?? null;
  let reproduction: ReproductionRecord | null = null;
  const prefix = prefixesFor(xml, SHENBI_NS)[0];
  if (prefix !== undefined) {
    const get = (name: string): string | null => propertyValues(xml, prefix, name)[0] ?? null;
    const seed = get('Seed');
    const parsed = reproductionRecordSchema.safeParse({
      engine: get('Engine'),
      model: get('Model'),
      modelHash: get('ModelHash'),
      seed: seed === null ? null : Number(seed),
      parameterHash: get('ParameterHash'),
    });
    if (parsed.success) reproduction = parsed.data;
  }
  return { aigc, digitalSourceType: dst, reproduction };
}
