/**
 * 3MF (3D Manufacturing Format, core spec 1.x): an OPC zip holding [Content_Types].xml,
 * _rels/.rels and 3D/3dmodel.model, with one mesh <object> per part in millimetres, +Z up,
 * coloured through a <basematerials> group. The zip's timestamps are fixed so the same scene
 * gives the same bytes.
 */
import { strToU8, zipSync } from 'fflate';
import { srgbHex } from './colour.ts';
import type { PartMesh } from './part-mesh.ts';
import { toPrintFrame } from './print-frame.ts';
import type { SceneProgram } from './scene-program.ts';

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>\n';

const RELS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>\n';

/** Local-time fields of this Date are what the zip stores, so build it from local fields: the same in every time zone. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export function write3mf(program: SceneProgram, parts: readonly PartMesh[]): Uint8Array {
  return zipSync(
    {
      '[Content_Types].xml': strToU8(CONTENT_TYPES),
      '_rels/.rels': strToU8(RELS),
      '3D/3dmodel.model': strToU8(modelXml(program, parts)),
    },
    { level: 6, mtime: FIXED_MTIME },
  );
}

export function modelXml(program: SceneProgram, parts: readonly PartMesh[]): string {
  const materialNames = Object.keys(program.materials);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<model unit="millimeter" xml:lang="en-US" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">\n',
    `<metadata name="Title">${escapeXml(program.name)}</metadata>\n`,
    '<metadata name="Application">Shenbi</metadata>\n',
    '<resources>\n<basematerials id="1">\n',
    ...materialNames.map((name) => `<base name="${escapeXml(name)}" displaycolor="${srgbHex(program.materials[name]!.baseColor)}FF"/>\n`),
    '</basematerials>\n',
  ];
  const corner = new Float64Array(3);
  parts.forEach((part, index) => {
    out.push(`<object id="${index + 2}" type="model" name="${escapeXml(part.name)}" pid="1" pindex="${Math.max(0, materialNames.indexOf(part.material))}">\n<mesh>\n<vertices>\n`);
    const { positions, indices } = part.solid;
    for (let v = 0; v < positions.length / 3; v++) {
      toPrintFrame(positions, v, corner, 0);
      out.push(`<vertex x="${mm(corner[0]!)}" y="${mm(corner[1]!)}" z="${mm(corner[2]!)}"/>\n`);
    }
    out.push('</vertices>\n<triangles>\n');
    for (let t = 0; t < indices.length; t += 3) out.push(`<triangle v1="${indices[t]}" v2="${indices[t + 1]}" v3="${indices[t + 2]}"/>\n`);
    out.push('</triangles>\n</mesh>\n</object>\n');
  });
  out.push('</resources>\n<build>\n', ...parts.map((_, index) => `<item objectid="${index + 2}"/>\n`), '</build>\n</model>\n');
  return out.join('');
}

/** Micrometre precision, no exponent notation (the 3MF number grammar has none for tiny values written by toString). */
function mm(value: number): string {
  const fixed = value.toFixed(4);
  return fixed === '-0.0000' ? '0.0000' : fixed;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
