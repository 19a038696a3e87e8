import { isAsciiStl, isBinaryStl } from '../implicit/stl.ts';
import { editRootMetadata, openThreeMf, repackThreeMf, rootMetadata } from '../implicit/three-mf-package.ts';
import { mediaInvalid } from '../implicit/bytes.ts';
import type { ExplicitResult } from './text.ts';

/** Who 3MF's well-known Designer names, when the model does not name one. */
export const THREE_MF_DESIGNER = 'AI-generated (Shenbi)';

/**
 * 3MF (printing): slicers show the model's well-known `Description` metadata in its info
 * panel, so the wording goes first there (an earlier description follows it), and
 * `Designer` says AI-generated when the model names no designer. The mesh is untouched.
 */
export function labelThreeMf(bytes: Uint8Array, wording: string): ExplicitResult {
  const pkg = openThreeMf(bytes);
  const existing = rootMetadata(pkg.modelXml);
  const description = existing.find((m) => m.name === 'Description')?.value ?? '';
  const rest = description.startsWith(wording) ? description.slice(wording.length).trimStart() : description;
  const hasDesigner = existing.some((m) => m.name === 'Designer' && m.value.trim() !== '');
  const xml = editRootMetadata(pkg.modelXml, {
    remove: (name) => name === 'Description',
    add: [{ name: 'Description', value: rest === '' ? wording : `${wording}\n${rest}` }, ...(hasDesigner ? [] : [{ name: 'Designer', value: THREE_MF_DESIGNER }])],
    namespaces: {},
  });
  return { bytes: repackThreeMf(pkg, xml), record: { type: 'aigc-explicit', placement: '3mf-metadata.Description', value: { wording, display: 'slicer-model-info' } } };
}

/**
 * STL has nothing any viewer or slicer shows but the geometry: its only free text (the
 * 80-byte header or the solid's name) holds the implicit marker. The wording stays beside
 * the file (the API, studio and download page show it), as for JSON.
 */
export function labelStl(bytes: Uint8Array, wording: string): ExplicitResult {
  if (!isBinaryStl(bytes) && !isAsciiStl(bytes)) throw mediaInvalid('STL', 'it is neither a binary nor an ASCII STL');
  return { bytes, record: { type: 'aigc-explicit', placement: 'sidecar', value: { wording, reason: 'STL has no field a viewer or slicer shows; its header holds the implicit AIGC marker' } } };
}
