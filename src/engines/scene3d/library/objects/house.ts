import type { Shape } from '../../scene-program.ts';
import { colourOr, countOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part, type PartInput } from '../program.ts';
import { box, sideSlab } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const PLASTER = '#e8dcc4';
const STOREY = 2.8;

/** A house (房子) with a gable roof, its door facing +Z. count = storeys. */
export const house: BuiltInObject = {
  id: 'house',
  names: { zh: ['房子', '房屋', '小屋', '屋子', '住宅', '别墅', '房'], en: ['house', 'home', 'cottage', 'cabin', 'building'] },
  countWords: { zh: ['层', '楼'], en: ['storey', 'storeys', 'story', 'stories', 'storied', 'floor', 'floors', 'level', 'levels'] },
  description: 'A house with plastered walls, a gable roof (ridge along X), a door facing +Z, windows and a chimney. count = storeys.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const storeys = countOr(params.count, v.pick([1, 2]), 1, 4);
    const width = v.vary(8, 0.12);
    const depth = v.vary(6, 0.1);
    const foundation = 0.3;
    const wallTop = foundation + storeys * STOREY;
    const overhang = 0.4;
    const roofHeight = v.vary(0.38, 0.15) * (depth + 2 * overhang);
    const front = depth / 2 + 0.01;

    const windows: Shape[] = [];
    for (let storey = 0; storey < storeys; storey++) {
      const sill = foundation + storey * STOREY + 0.9;
      const frontXs = storey === 0 ? [-width / 3, width / 3] : [-width / 3, 0, width / 3];
      for (const x of frontXs) windows.push(box([1.2, 1.2, 0.06], [x, sill, front]));
      for (const x of [-width / 3, 0, width / 3]) windows.push(box([1.2, 1.2, 0.06], [x, sill, -front]));
    }
    const chimneyZ = -depth / 4;
    // The roof's height above the wall top where the chimney stands, plus 0.8 m clear.
    const roofAtChimney = roofHeight * (1 - Math.abs(chimneyZ) / (depth / 2 + overhang));

    const parts: PartInput[] = [
      part('foundation', 'stone', box([width + 0.2, foundation, depth + 0.2])),
      part('walls', 'walls', box([width, storeys * STOREY + 0.002, depth], [0, foundation - 0.001, 0])),
      part(
        'roof',
        'roof',
        sideSlab(
          [
            [-depth / 2 - overhang, 0],
            [depth / 2 + overhang, 0],
            [0, roofHeight],
          ],
          width + 2 * overhang,
          [0, wallTop - 0.001, 0],
        ),
      ),
      part('door', 'wood', box([1, 2.1, 0.06], [0, foundation, front])),
      part('windows', 'glass', { type: 'union', children: windows }),
    ];
    if (v.chance(0.7)) parts.push(part('chimney', 'brick', box([0.55, roofAtChimney + 0.8, 0.55], [width / 4, wallTop - 0.05, chimneyZ])));

    return finishProgram(
      {
        name: 'house',
        description: `A ${storeys}-storey house with a gable roof`,
        materials: {
          stone: { baseColor: '#7d7a75', metallic: 0, roughness: 0.95 },
          walls: { baseColor: colourOr(params.colour, PLASTER), metallic: 0, roughness: 0.9 },
          roof: { baseColor: v.pick(['#8b3a2e', '#3d4450', '#5a4636']), metallic: 0, roughness: 0.8 },
          wood: { baseColor: '#5b3a1e', metallic: 0, roughness: 0.6 },
          glass: { baseColor: '#9fc3d6', metallic: 0.2, roughness: 0.08 },
          brick: { baseColor: '#8a4b38', metallic: 0, roughness: 0.9 },
        },
        parts,
      },
      scaleOf(params.scale),
    );
  },
};
