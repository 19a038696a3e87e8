import type { Shape } from '../../scene-program.ts';
import { colourOr, countOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part, type PartInput } from '../program.ts';
import { flatTorus, hollowLathe, lathe } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

/** Outlines as (height fraction, radius fraction) pairs: 梅瓶 meiping, 玉壶春 yuhuchun, an ovoid baluster. */
const OUTLINES: ReadonlyArray<{ name: string; points: ReadonlyArray<readonly [number, number]> }> = [
  { name: 'meiping', points: [[0, 0.5], [0.3, 0.72], [0.65, 1], [0.8, 0.86], [0.9, 0.38], [0.95, 0.3], [1, 0.34]] },
  { name: 'yuhuchun', points: [[0, 0.5], [0.18, 0.9], [0.33, 1], [0.5, 0.82], [0.7, 0.38], [0.85, 0.3], [1, 0.56]] },
  { name: 'baluster', points: [[0, 0.55], [0.35, 1], [0.68, 0.82], [0.85, 0.45], [1, 0.52]] },
];

/** Smooth (cosine) interpolation through the outline's points. */
function outlineAt(points: ReadonlyArray<readonly [number, number]>, t: number): number {
  for (let i = 1; i < points.length; i++) {
    const [t0, r0] = points[i - 1]!;
    const [t1, r1] = points[i]!;
    if (t <= t1) {
      const u = (t - t0) / (t1 - t0);
      return r0 + (r1 - r0) * (1 - Math.cos(Math.PI * u)) / 2;
    }
  }
  return points[points.length - 1]![1];
}

/** A glazed porcelain vase (花瓶), hollow, about 0.3 m tall. count = decorative bands. */
export const vase: BuiltInObject = {
  id: 'vase',
  names: { zh: ['花瓶', '瓶子', '瓷瓶', '梅瓶', '瓶'], en: ['vase', 'urn', 'jar', 'bottle'] },
  countWords: { zh: ['金边', '环', '圈', '纹'], en: ['band', 'bands', 'ring', 'rings', 'stripe', 'stripes'] },
  description: 'A hollow glazed porcelain vase about 0.3 m tall, in one of three classic outlines, with gold bands. count = bands.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const outline = v.pick(OUTLINES);
    const height = v.vary(0.3, 0.12);
    const widest = v.vary(0.1, 0.12);
    const radiusAt = (t: number) => widest * outlineAt(outline.points, t);
    const glaze = colourOr(params.colour, v.pick(['#8fb8a3', '#2f5d9e', '#8a1c1c', '#efe8d8']));
    const bands = countOr(params.count, 1, 0, 6);

    const parts: PartInput[] = [part('body', 'glaze', lathe(hollowLathe(radiusAt, height, 0.005, 0.012, 32)))];
    if (bands > 0) {
      const rings: Shape[] = [];
      for (let i = 0; i < bands; i++) {
        const t = bands === 1 ? 0.5 : 0.15 + (0.7 * i) / (bands - 1);
        // Half sunk into the glaze so the band reads as painted-on gold.
        rings.push(flatTorus(radiusAt(t), 0.0025, [0, height * t, 0]));
      }
      parts.push(part('bands', 'gold', { type: 'union', children: rings }));
    }

    return finishProgram(
      {
        name: 'vase',
        description: `A ${outline.name} porcelain vase`,
        materials: { glaze: { baseColor: glaze, metallic: 0, roughness: 0.15 }, gold: { baseColor: '#d4a72c', metallic: 1, roughness: 0.3 } },
        parts,
      },
      scaleOf(params.scale),
    );
  },
};
