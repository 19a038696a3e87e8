import { colourOr, countOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part, type PartInput } from '../program.ts';
import { box, cylinder, lathe, roundedBox } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const WOOD = '#8b5a2b';

/**
 * A wooden table (桌子), 0.75 m to the top. count = legs: 4 gives a rectangular table, 3 or 5–8
 * a round one with legs in a ring, 1 a pedestal and 2 a trestle. A bigger table grows in plan,
 * not in height: tables are sat at.
 */
export const table: BuiltInObject = {
  id: 'table',
  names: { zh: ['桌子', '桌', '餐桌', '书桌', '方桌', '圆桌', '茶几'], en: ['table', 'desk', 'dining table'] },
  countWords: { zh: ['腿', '脚', '足'], en: ['leg', 'legs', 'legged'] },
  description: 'A wooden table 0.75 m high. count = legs (4 rectangular, 3 or 5-8 round, 1 pedestal, 2 trestle).',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const legs = countOr(params.count, 4, 1, 8);
    const grow = scaleOf(params.scale);
    const height = v.vary(0.75, 0.02);
    const top = 0.035;
    const legHeight = height - top + 0.002;
    const leg = v.vary(0.05, 0.1);
    const wood = colourOr(params.colour, WOOD);
    const parts: PartInput[] = [];

    if (legs === 4 || legs === 2) {
      const width = v.vary(1.2, 0.12) * grow;
      const depth = v.vary(0.75, 0.08) * Math.sqrt(grow);
      parts.push(part('top', 'wood', roundedBox([width, top, depth], 0.008, [0, height - top, 0])));
      if (legs === 4) {
        const x = width / 2 - 0.06 - leg / 2;
        const z = depth / 2 - 0.06 - leg / 2;
        const corners: Array<[string, number, number]> = [
          ['leg-front-left', -x, z],
          ['leg-front-right', x, z],
          ['leg-back-left', -x, -z],
          ['leg-back-right', x, -z],
        ];
        for (const [name, lx, lz] of corners) parts.push(part(name, 'wood', box([leg, legHeight, leg], [lx, 0, lz])));
        const apron = 0.08;
        const apronY = height - top - apron + 0.001;
        parts.push(
          part('apron', 'wood', {
            type: 'union',
            children: [box([2 * x, apron, 0.02], [0, apronY, z]), box([2 * x, apron, 0.02], [0, apronY, -z]), box([0.02, apron, 2 * z], [x, apronY, 0]), box([0.02, apron, 2 * z], [-x, apronY, 0])],
          }),
        );
      } else {
        // Trestle: two panels under the ends, a stretcher low between them.
        const x = width / 2 - 0.15;
        const panelDepth = depth - 0.12;
        parts.push(part('trestle-left', 'wood', box([0.05, legHeight, panelDepth], [-x, 0, 0])));
        parts.push(part('trestle-right', 'wood', box([0.05, legHeight, panelDepth], [x, 0, 0])));
        parts.push(part('stretcher', 'wood', box([2 * x, 0.06, 0.05], [0, 0.18, 0])));
      }
    } else {
      const radius = v.vary(legs === 1 ? 0.45 : 0.55, 0.1) * grow;
      parts.push(part('top', 'wood', cylinder(radius, top, [0, height - top, 0])));
      if (legs === 1) {
        parts.push(part('pedestal', 'wood', cylinder(0.05, legHeight, [0, 0, 0], 0.045)));
        parts.push(part('foot', 'wood', cylinder(0.28 * Math.sqrt(grow), 0.05, [0, 0, 0], 0.1)));
      } else {
        const ring = radius - 0.1;
        for (let i = 0; i < legs; i++) {
          const angle = (i / legs) * 2 * Math.PI;
          parts.push(part(`leg-${i + 1}`, 'wood', cylinder(leg / 2 + 0.003, legHeight, [ring * Math.cos(angle), 0, ring * Math.sin(angle)], leg / 2 - 0.004)));
        }
        // A ring apron under the top, turned from a rectangle.
        parts.push(
          part(
            'apron',
            'wood',
            lathe(
              [
                [ring - 0.015, 0],
                [ring + 0.015, 0],
                [ring + 0.015, 0.07],
                [ring - 0.015, 0.07],
              ],
              [0, height - top - 0.07 + 0.001, 0],
            ),
          ),
        );
      }
    }

    return finishProgram({ name: 'table', description: `A wooden table with ${legs} leg${legs === 1 ? '' : 's'}`, materials: { wood: { baseColor: wood, metallic: 0, roughness: 0.55 } }, parts });
  },
};
