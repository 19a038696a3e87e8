import type { WarpingPath } from './dtw.ts';

/**
 * Turns a warping path between audio frames (path.a) and reference frames (path.b) into a
 * monotone map from reference seconds to audio seconds. A reference frame maps to the first
 * audio frame paired with it: a boundary (a word start, or the first frame after a word) is
 * where the audio first reaches that point of the reference, which keeps a pause that only
 * the audio has on the side of the word before it. Between frames the map is linear.
 */
export function referenceToAudioTime(path: WarpingPath, referenceFrames: number, hopSeconds: number): (seconds: number) => number {
  const first = new Float64Array(referenceFrames).fill(-1);
  for (let k = 0; k < path.b.length; k++) {
    const j = path.b[k]!;
    if (j >= 0 && j < referenceFrames && first[j]! < 0) first[j] = path.a[k]!;
  }
  // A path from DTW visits every reference frame; fill any gap (a hand-made path) from the left.
  let last = 0;
  for (let j = 0; j < referenceFrames; j++) {
    if (first[j]! < 0) first[j] = last;
    last = first[j]!;
  }
  return (seconds: number): number => {
    const position = Math.min(referenceFrames - 1, Math.max(0, seconds / hopSeconds));
    const j = Math.floor(position);
    const next = Math.min(referenceFrames - 1, j + 1);
    const fraction = position - j;
    return (first[j]! + (first[next]! - first[j]!) * fraction) * hopSeconds;
  };
}
