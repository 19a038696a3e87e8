import type { Point2 } from '../../scene-program.ts';
import { colourOr, countOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part, type PartInput } from '../program.ts';
import { box, hollowLathe, lathe, solidLathe, uprightTorus } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const GOLD = '#d4af37';

/** A trophy cup (奖杯): a hollow gold bowl with two handles on a turned stem and a stepped base. count = base steps. */
export const trophy: BuiltInObject = {
  id: 'trophy',
  names: { zh: ['奖杯', '奖座', '冠军杯'], en: ['trophy', 'trophy cup', 'award', 'cup trophy'] },
  countWords: { zh: ['阶', '级', '层'], en: ['step', 'steps', 'stepped', 'tier', 'tiers', 'tiered', 'level', 'levels'] },
  description: 'A trophy about 0.35 m tall: a hollow gold bowl with two handles on a turned stem and a stepped dark base with a plaque. count = base steps.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const steps = countOr(params.count, 2, 1, 5);
    const metal = colourOr(params.colour, GOLD);
    const bowlHeight = v.vary(0.14, 0.1);
    const rim = v.vary(0.085, 0.1);
    const curve = v.vary(0.8, 0.2);
    const radiusAt = (t: number) => 0.012 + (rim - 0.012) * Math.sin((t * Math.PI) / 2) ** curve;
    const stemHeight = v.vary(0.09, 0.15);

    const parts: PartInput[] = [];
    let y = 0;
    let side = 0.16;
    for (let i = 0; i < steps; i++) {
      const stepHeight = 0.045 - 0.006 * i;
      parts.push(part(`base-${i + 1}`, 'stone', box([side, stepHeight + 0.001, side], [0, y, 0])));
      if (i === 0) parts.push(part('plaque', 'brass', box([side * 0.55, stepHeight * 0.55, 0.004], [0, stepHeight * 0.22, side / 2 + 0.001])));
      y += stepHeight;
      side *= 0.78;
    }
    const stem: Point2[] = [
      [0, 0],
      [0.03, 0],
      [0.028, 0.008],
      [0.012, 0.02],
      [0.01, stemHeight * 0.42],
      [0.022, stemHeight * 0.52],
      [0.01, stemHeight * 0.64],
      [0.012, stemHeight],
      [0, stemHeight],
    ];
    parts.push(part('stem', 'metal', lathe(stem, [0, y, 0])));
    const bowlBase = y + stemHeight - 0.003;
    parts.push(part('bowl', 'metal', lathe(hollowLathe(radiusAt, bowlHeight, 0.003, 0.02), [0, bowlBase, 0])));
    const handleT = 0.6;
    const major = 0.035;
    // Each handle is a ring cut by the bowl's outer solid shrunk 1.5 mm, so it sinks into the wall, not the hollow.
    parts.push(
      part('handles', 'metal', {
        type: 'mirror',
        normal: [1, 0, 0],
        child: {
          type: 'difference',
          base: uprightTorus(major, 0.006, [radiusAt(handleT) + major * 0.6, bowlBase + bowlHeight * handleT, 0]),
          subtract: [lathe(solidLathe((t) => radiusAt(t) - 0.0015, bowlHeight), [0, bowlBase, 0])],
        },
      }),
    );

    return finishProgram(
      {
        name: 'trophy',
        description: `A trophy cup on a ${steps}-step base`,
        materials: {
          metal: { baseColor: metal, metallic: 1, roughness: 0.2 },
          stone: { baseColor: v.pick(['#1c1c1f', '#2b2522', '#f0ede6']), metallic: 0, roughness: 0.4 },
          brass: { baseColor: '#c8b27a', metallic: 1, roughness: 0.35 },
        },
        parts,
      },
      scaleOf(params.scale),
    );
  },
};
