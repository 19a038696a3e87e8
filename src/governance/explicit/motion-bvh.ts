import { decodeText } from '../implicit/embed.ts';
import { editFirstEndSite } from '../implicit/bvh.ts';
import type { ExplicitResult } from './text.ts';

/**
 * BVH is motion data with no surface of its own to draw on (the figure is whatever rig it
 * drives), and no comment syntax: the notice is written as plain words on the first `End Site`
 * line, which BVH readers skip and a person opening the file sees (implicit/bvh.ts explains
 * the choice), before the implicit label's words. An earlier notice there is replaced. The
 * wording stays UTF-8 text: Blender runs its Python in UTF-8 mode (bpy_interface: utf8_mode),
 * so its importer reads it on every platform.
 */
export function labelBvh(bytes: Uint8Array, wording: string): ExplicitResult {
  const text = decodeText(bytes, 'bvh');
  const words = wording.trim().split(/\s+/);
  const out = editFirstEndSite(text, (existing, first) => (first ? [...words, ...existing.filter((w) => /^(?:AIGC|SHENBI)=/.test(w))] : existing));
  return { bytes: new TextEncoder().encode(out), record: { type: 'aigc-explicit', placement: 'bvh-end-site', value: { wording, display: 'bvh-text' } } };
}
