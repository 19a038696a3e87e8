/**
 * LCM-distilled UNets take the guidance scale as an input (`timestep_cond`) instead of running
 * twice: w = scale - 1, embedded like a timestep (sin/cos of w·1000 at geometric frequencies).
 */
export function guidanceEmbedding(guidanceScale: number, dim: number): Float32Array {
  const w = (guidanceScale - 1) * 1000;
  const half = Math.floor(dim / 2);
  const step = Math.log(10_000) / Math.max(1, half - 1);
  const out = new Float32Array(dim);
  for (let i = 0; i < half; i++) {
    const x = w * Math.exp(-step * i);
    out[i] = Math.sin(x);
    out[half + i] = Math.cos(x);
  }
  return out;
}
