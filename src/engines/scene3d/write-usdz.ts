/**
 * USDZ for Apple AR (Quick Look, Reality Composer): the GLB goes through three.js's
 * GLTFLoader and USDZExporter (USD ASCII layers, UsdPreviewSurface materials, metres, Y up:
 * `metersPerUnit = 1`, `upAxis = "Y"`, as glTF), then is re-packaged by
 * media/usdz/usdz-package.ts. The exporter names geometry files and materials after
 * three.js's process-wide object counters and zips with the current time; both are made
 * fixed here, so the same GLB gives the same USDZ bytes in any thread, on any run.
 */
import { readUsdz, writeUsdz, type UsdzEntry } from '../../media/usdz/usdz-package.ts';

/** Ids the exporter prints into names and paths ("Geometry_12", "Material_7"). */
const COUNTER_NAME = /(?<![A-Za-z0-9_])(Geometry|Material)_(\d+)(?![A-Za-z0-9_])/g;

export async function writeUsdzFromGlb(glb: Uint8Array): Promise<Uint8Array> {
  // Loaded on first use: three.js is only needed when a USDZ is asked for.
  const [{ GLTFLoader }, { USDZExporter }, THREE] = await Promise.all([
    import('three/examples/jsm/loaders/GLTFLoader.js'),
    import('three/examples/jsm/exporters/USDZExporter.js'),
    import('three'),
  ]);
  const buffer = glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer;
  const gltf = await new GLTFLoader().parseAsync(buffer, '');
  const used = new Set<string>();
  gltf.scene.traverse((object) => {
    object.name = uniquePrimName(object.name, used);
    const material = (object as { material?: unknown }).material;
    for (const m of Array.isArray(material) ? material : material === undefined ? [] : [material]) {
      // USD preview surfaces are one-sided; the exporter would only warn (our solids are closed).
      if (m instanceof THREE.Material) m.side = THREE.FrontSide;
    }
  });
  const exported = new Uint8Array(await new USDZExporter().parseAsync(gltf.scene));
  return writeUsdz(renumber(readUsdz(exported)));
}

/**
 * What the exporter's getName would make of `name` (letters, digits, _; not starting with a
 * digit), made unique here so it never appends an object id, and kept clear of the counter
 * names renumbered below.
 */
function uniquePrimName(name: string, used: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_]/g, '');
  if (base === '' || /^[0-9]/.test(base)) base = `Part${base}`;
  if (/^(?:Geometry|Material)_\d+$/.test(base)) base = `${base}_part`;
  let unique = base;
  for (let n = 2; used.has(unique); n++) unique = `${base}_${n}`;
  used.add(unique);
  return unique;
}

/** Counter ids → 1, 2, 3… in order of first appearance, in every layer and file name. */
function renumber(entries: readonly UsdzEntry[]): UsdzEntry[] {
  const numbers = new Map<string, number>();
  const counts = new Map<string, number>();
  const rename = (text: string): string =>
    text.replace(COUNTER_NAME, (_, kind: string, id: string) => {
      const key = `${kind}_${id}`;
      let n = numbers.get(key);
      if (n === undefined) {
        n = (counts.get(kind) ?? 0) + 1;
        counts.set(kind, n);
        numbers.set(key, n);
      }
      return `${kind}_${n}`;
    });
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  // The default layer first: it names every geometry file and material in scene order.
  const layers = entries.map((e) => ({ name: e.name, text: e.name.endsWith('.usda') ? rename(decoder.decode(e.data)) : null, data: e.data }));
  return layers.map((e) => ({ name: rename(e.name), data: e.text === null ? e.data : encoder.encode(e.text) }));
}
