import type { Point2 } from '../../scene-program.ts';
import { colourOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part } from '../program.ts';
import { lathe, prism, roundedBox, slab } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const STEEL = '#c9ccd1';

/** A straight double-edged sword (剑), standing on its pommel, tip up. */
export const sword: BuiltInObject = {
  id: 'sword',
  names: { zh: ['剑', '宝剑', '长剑', '佩剑', '刀剑'], en: ['sword', 'blade', 'longsword', 'jian'] },
  description: 'A straight double-edged sword standing on its pommel: a bevelled steel blade, a guard, a wrapped grip and a pommel.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const bladeLength = v.vary(0.72, 0.08);
    const bladeWidth = v.vary(0.036, 0.1);
    const thickness = 0.007;
    const tipLength = bladeWidth * v.vary(1.9, 0.2);
    const gripLength = v.vary(0.17, 0.08);
    const gripRadius = 0.013;
    const pommelHeight = 0.035;
    const guardHeight = 0.032;
    const wraps = Math.round(gripLength / 0.018);
    // The grip turned from one outline whose ridges are the turns of the cord wrapped around it.
    const grip: Point2[] = [[0, 0]];
    for (let i = 0; i <= wraps * 2; i++) grip.push([gripRadius + (i % 2 === 1 ? 0.002 : 0), (gripLength * i) / (wraps * 2)]);
    grip.push([0, gripLength]);

    const gripBottom = pommelHeight - 0.003;
    const guardBottom = gripBottom + gripLength - 0.003;
    const bladeBottom = guardBottom + guardHeight - 0.004;

    // The silhouette: straight edges narrowing a little, then the point.
    const w = bladeWidth / 2;
    const outline: Point2[] = [
      [-w, 0],
      [w, 0],
      [w * 0.82, bladeLength - tipLength],
      [0, bladeLength],
      [-w * 0.82, bladeLength - tipLength],
    ];
    // The cross-section: a flat diamond (the central ridge), a little wider than the silhouette
    // so the silhouette's cut leaves a fine edge; overshooting both ends by 1 mm avoids shared faces.
    const diamond: Point2[] = [
      [-w * 1.1, 0],
      [0, -thickness / 2],
      [w * 1.1, 0],
      [0, thickness / 2],
    ];
    const blade = {
      type: 'intersection' as const,
      children: [slab(outline, thickness * 2, [0, bladeBottom, 0]), prism(diamond, bladeLength + 0.002, [0, bladeBottom - 0.001, 0], 0.75)],
    };

    const guardWing = v.pick([0.055, 0.065, 0.075]);
    const guard: Point2[] = [
      [-guardWing, guardHeight * 0.45],
      [-0.03, 0],
      [0.03, 0],
      [guardWing, guardHeight * 0.45],
      [guardWing * 0.8, guardHeight * 0.9],
      [0.016, guardHeight * 0.7],
      [0, guardHeight],
      [-0.016, guardHeight * 0.7],
      [-guardWing * 0.8, guardHeight * 0.9],
    ];

    return finishProgram(
      {
        name: 'sword',
        description: 'A straight double-edged sword, standing on its pommel',
        materials: {
          steel: { baseColor: colourOr(params.colour, STEEL), metallic: 1, roughness: 0.22 },
          bronze: { baseColor: v.pick(['#b08d57', '#c9a23a']), metallic: 1, roughness: 0.35 },
          wrap: { baseColor: v.pick(['#2a1b14', '#5b0f12', '#1d2330']), metallic: 0, roughness: 0.85 },
        },
        parts: [
          part('pommel', 'bronze', roundedBox([0.05, pommelHeight, 0.032], 0.008)),
          part('grip', 'wrap', lathe(grip, [0, gripBottom, 0])),
          part('guard', 'bronze', slab(guard, 0.03, [0, guardBottom, 0])),
          part('blade', 'steel', blade),
        ],
      },
      scaleOf(params.scale),
    );
  },
};
