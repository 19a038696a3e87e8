import { unzipSync, zipSync, type Zippable } from 'fflate';
import { mediaInvalid, utf8, utf8Text } from './bytes.ts';

/**
 * A 3MF file is an OPC package (a zip): its model is the XML part the root relationship of
 * type 3dmodel points at (by convention 3D/3dmodel.model). Labels go into that part's
 * <metadata> elements (3MF Core §2.3.1: well-known names, or namespace-qualified ones whose
 * prefix the <model> element declares). Everything else in the package is kept byte for byte.
 */

const MODEL_RELATIONSHIP = 'http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel';
const DEFAULT_MODEL_PART = '3D/3dmodel.model';
/** A declared size past this is refused before inflating (a zip bomb, not a printable model). */
const MAX_UNPACKED_BYTES = 1 << 30;
/**
 * Fixed entry time, built from local fields because zip stores local DOS time: the same
 * package bytes in every time zone, on every run.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** Already-compressed parts (thumbnails, textures) are stored rather than deflated again. */
const STORED = /\.(?:png|jpe?g|webp|gif)$/i;

export interface ThreeMfPackage {
  /** Every part in the package's own order. */
  readonly parts: ReadonlyArray<readonly [string, Uint8Array]>;
  readonly modelPart: string;
  readonly modelXml: string;
}

/** The part names in a zip, reading only its central directory (null: not a readable zip). */
export function zipEntryNames(bytes: Uint8Array): string[] | null {
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        names.push(file.name);
        return false;
      },
    });
  } catch {
    return null;
  }
  return names;
}

export function isThreeMfPackage(names: readonly string[]): boolean {
  return names.some((n) => n.toLowerCase().endsWith('.model') && n.toLowerCase().startsWith('3d/')) && names.includes('[Content_Types].xml');
}

export function openThreeMf(bytes: Uint8Array): ThreeMfPackage {
  let files: Record<string, Uint8Array>;
  try {
    let declared = 0;
    files = unzipSync(bytes, {
      filter: (file) => {
        declared += file.originalSize;
        if (declared > MAX_UNPACKED_BYTES) throw new Error(`it unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
        return true;
      },
    });
  } catch (error) {
    throw mediaInvalid('3MF', `it is not a readable zip package (${(error as Error).message})`);
  }
  const parts = Object.entries(files);
  const modelPart = rootModelPart(files);
  const model = files[modelPart];
  if (model === undefined) throw mediaInvalid('3MF', `the package has no model part ${modelPart}`);
  let modelXml: string;
  try {
    modelXml = new TextDecoder('utf-8', { fatal: true }).decode(model);
  } catch {
    throw mediaInvalid('3MF', `${modelPart} is not UTF-8 XML`);
  }
  if (modelRootTag(modelXml) === null) throw mediaInvalid('3MF', `${modelPart} has no <model> element`);
  return { parts, modelPart, modelXml };
}

/** The package again with a new model part: same part order, fixed times, deterministic bytes. */
export function repackThreeMf(pkg: ThreeMfPackage, modelXml: string): Uint8Array {
  const entries: Zippable = {};
  for (const [name, data] of pkg.parts) {
    entries[name] = [name === pkg.modelPart ? utf8(modelXml) : data, { level: STORED.test(name) ? 0 : 6, mtime: FIXED_MTIME }];
  }
  return zipSync(entries);
}

/** The root relationship's 3dmodel target (/_rels/.rels), or the conventional path. */
function rootModelPart(files: Record<string, Uint8Array>): string {
  const rels = files['_rels/.rels'];
  if (rels === undefined) return DEFAULT_MODEL_PART;
  for (const m of utf8Text(rels).matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const type = attribute(m[0], 'Type');
    const target = attribute(m[0], 'Target');
    if (type === MODEL_RELATIONSHIP && target !== null) return target.replace(/^\//, '');
  }
  return DEFAULT_MODEL_PART;
}

export interface RootTag {
  /** The prefix the model uses for the core namespace ('' for the default namespace). */
  readonly prefix: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The <model> start tag (after the XML declaration and any comments). */
export function modelRootTag(xml: string): RootTag | null {
  const m = /<(?:([A-Za-z_][\w.-]*):)?model\b[^>]*>/.exec(xml.replace(/<!--[\s\S]*?-->/g, (c) => ' '.repeat(c.length)));
  if (m === null) return null;
  return { prefix: m[1] ?? '', start: m.index, end: m.index + m[0].length, text: m[0] };
}

export interface MetadataElement {
  readonly name: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The <metadata> children of <model>: they all come before <resources> (3MF Core schema),
 * so only that head of the part is scanned, never the mesh.
 */
export function rootMetadata(xml: string): MetadataElement[] {
  const root = modelRootTag(xml);
  if (root === null) return [];
  const q = root.prefix === '' ? '' : `${root.prefix}:`;
  const resources = xml.indexOf(`<${q}resources`, root.end);
  const head = xml.slice(0, resources === -1 ? xml.length : resources);
  const found: MetadataElement[] = [];
  const re = new RegExp(`<${q}metadata\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${q}metadata\\s*>)`, 'g');
  re.lastIndex = root.end;
  for (let m = re.exec(head); m !== null; m = re.exec(head)) {
    const name = attribute(`<x ${m[1]!}>`, 'name');
    if (name !== null) found.push({ name, value: unescapeXml(m[2] ?? ''), start: m.index, end: m.index + m[0].length });
  }
  return found;
}

export interface MetadataEdit {
  /** Existing root metadata to drop first (re-labeling replaces, never appends). */
  readonly remove: (name: string) => boolean;
  readonly add: ReadonlyArray<{ name: string; value: string }>;
  /** Prefix → namespace URI, declared on <model> when the prefix is not declared yet. */
  readonly namespaces: Readonly<Record<string, string>>;
}

/** Removes and adds root <metadata> elements; added ones go first, marked preserve="1". */
export function editRootMetadata(xml: string, edit: MetadataEdit): string {
  let out = xml;
  for (const element of rootMetadata(out).filter((e) => edit.remove(e.name)).reverse()) {
    const before = out.slice(0, element.start).replace(/[ \t]*\r?\n?[ \t]*$/, '');
    out = before + out.slice(element.end);
  }
  const root = modelRootTag(out)!;
  let tag = root.text;
  for (const [prefix, uri] of Object.entries(edit.namespaces)) {
    if (attribute(tag, `xmlns:${prefix}`) === null) tag = tag.replace(/\s*(\/?)>$/, ` xmlns:${prefix}="${escapeXml(uri)}"$1>`);
  }
  const q = root.prefix === '' ? '' : `${root.prefix}:`;
  const added = edit.add.map((m) => `\n  <${q}metadata name="${escapeXml(m.name)}" preserve="1">${escapeText(m.value)}</${q}metadata>`).join('');
  return out.slice(0, root.start) + tag + added + out.slice(root.end);
}

function attribute(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name.replace(/[.:]/g, '\\$&')}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m === null ? null : unescapeXml(m[1] ?? m[2] ?? '');
}

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeXml = (s: string): string => escapeText(s).replace(/"/g, '&quot;');

function unescapeXml(s: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(s);
  if (cdata !== null) return cdata[1]!;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|lt|gt|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }[e] ?? '';
  });
}
