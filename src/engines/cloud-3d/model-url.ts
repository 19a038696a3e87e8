/** Keys under which queue and prediction APIs name the mesh file (fal TRELLIS/Hunyuan3D, Replicate TRELLIS…). */
const MODEL_KEYS = ['model_mesh', 'model_glb', 'model_file', 'glb', 'mesh', 'model', 'model_urls'];
const MODEL_EXT = /\.(glb|gltf)(\?|#|$)/i;

function urls(value: unknown, out: string[], depth = 0): string[] {
  if (depth > 6) return out;
  if (typeof value === 'string') {
    if (/^https?:\/\//i.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) urls(item, out, depth + 1);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of [...MODEL_KEYS, ...Object.keys(o).filter((k) => !MODEL_KEYS.includes(k))]) if (key in o) urls(o[key], out, depth + 1);
  }
  return out;
}

/**
 * The mesh file in a model's output: the first URL ending in .glb/.gltf, else the first under a
 * mesh-like key. Preview videos, Gaussian splats and pictures are not taken for the model.
 */
export function findModelUrl(output: unknown): string | undefined {
  const all = urls(output, []);
  return all.find((u) => MODEL_EXT.test(new URL(u).pathname)) ?? all.find((u) => !/\.(mp4|webm|png|jpe?g|webp|ply|splat|zip)(\?|#|$)/i.test(new URL(u).pathname));
}
