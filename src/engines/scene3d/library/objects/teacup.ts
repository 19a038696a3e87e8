import type { Point2 } from '../../scene-program.ts';
import { colourOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part, type PartInput } from '../program.ts';
import { hollowLathe, lathe, solidLathe, uprightTorus } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const PORCELAIN = '#f4f1ea';

/** The cup's outline, shared with tests that check its hollow: radius at t (0 base … 1 rim) and sizes. */
export function teacupBody(seed: number): { radiusAt: (t: number) => number; height: number; wall: number; floor: number } {
  const v = variation(seed);
  const height = v.vary(0.075, 0.1);
  const rim = v.vary(0.042, 0.08);
  const base = rim * v.vary(0.58, 0.08);
  // A bowl that widens fast above a short foot and rises almost straight to the rim.
  const curve = v.vary(2.2, 0.2);
  const foot = 0.08;
  return {
    radiusAt: (t) => (t < foot ? base * 0.9 : base + (rim - base) * (1 - (1 - (t - foot) / (1 - foot)) ** curve)),
    height,
    wall: 0.003,
    floor: 0.006,
  };
}

/** A porcelain teacup (茶杯): a revolved cup with a real hollow, sometimes a handle and a saucer. */
export const teacup: BuiltInObject = {
  id: 'teacup',
  names: { zh: ['茶杯', '杯子', '茶盏', '茶碗', '咖啡杯', '瓷杯'], en: ['teacup', 'tea cup', 'cup', 'mug', 'coffee cup'] },
  description: 'A porcelain teacup turned from one hollow wall outline, with a handle and a saucer in some seeds.',
  build(params: ObjectParams) {
    const cup = teacupBody(params.seed);
    // Drawn after the body's own draws so the body stays the same for a seed whatever is added here.
    const v = variation(params.seed ^ 0x5a5a5a5a);
    const hasHandle = v.chance(0.5);
    const hasSaucer = v.chance(0.6);
    const glaze = colourOr(params.colour, PORCELAIN);

    const saucerRadius = cup.radiusAt(1) * 1.75;
    const saucerHeight = 0.016;
    const well = 0.007;
    const saucer: Point2[] = [
      [0, 0],
      [saucerRadius * 0.55, 0],
      [saucerRadius * 0.58, 0.004],
      [saucerRadius, saucerHeight - 0.003],
      [saucerRadius, saucerHeight],
      [saucerRadius - 0.004, saucerHeight],
      [saucerRadius * 0.62, well + 0.002],
      [saucerRadius * 0.5, well],
      [0, well],
    ];
    // Sunk 0.5 mm into the saucer's well so the two never share a face.
    const cupBase = hasSaucer ? well - 0.0005 : 0;

    const parts: PartInput[] = [part('cup', 'porcelain', lathe(hollowLathe(cup.radiusAt, cup.height, cup.wall, cup.floor), [0, cupBase, 0]))];
    if (hasHandle) {
      const major = 0.017;
      const handleY = cup.height * 0.55;
      const wallRadius = cup.radiusAt(0.55);
      // The ring is cut by the cup's outer solid shrunk 1.5 mm, so what is left sinks into the wall and never into the hollow.
      const inset = (t: number) => cup.radiusAt(t) - 0.0015;
      parts.push(
        part('handle', 'porcelain', {
          type: 'difference',
          base: uprightTorus(major, 0.0045, [wallRadius + major * 0.55, cupBase + handleY, 0]),
          subtract: [lathe(solidLathe(inset, cup.height), [0, cupBase, 0])],
        }),
      );
    }
    if (hasSaucer) parts.push(part('saucer', 'porcelain', lathe(saucer)));

    return finishProgram(
      {
        name: 'teacup',
        description: `A porcelain teacup${hasHandle ? ' with a handle' : ''}${hasSaucer ? ' on a saucer' : ''}`,
        materials: { porcelain: { baseColor: glaze, metallic: 0, roughness: 0.2 } },
        parts,
      },
      scaleOf(params.scale),
    );
  },
};
