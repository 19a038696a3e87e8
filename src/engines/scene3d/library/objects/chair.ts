import { colourOr, countOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part, type PartInput } from '../program.ts';
import { box, roundedBox } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const WOOD = '#9a6a3a';

/** A wooden dining chair (椅子) facing +Z: seat at 0.45 m, back posts to about 0.95 m. count = back slats. */
export const chair: BuiltInObject = {
  id: 'chair',
  names: { zh: ['椅子', '椅', '凳子', '座椅', '木椅'], en: ['chair', 'seat', 'stool'] },
  countWords: { zh: ['靠板', '横档', '板条', '竖板'], en: ['slat', 'slats', 'spindle', 'spindles'] },
  description: 'A wooden dining chair facing +Z, seat 0.45 m high, back posts to about 0.95 m. count = back slats.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const slats = countOr(params.count, 3, 1, 9);
    const seatHeight = v.vary(0.45, 0.03);
    const seat = 0.035;
    const width = v.vary(0.44, 0.06);
    const depth = v.vary(0.42, 0.06);
    const backHeight = v.vary(0.95, 0.05);
    const leg = 0.04;
    const wood = colourOr(params.colour, WOOD);
    const x = width / 2 - leg / 2;
    const z = depth / 2 - leg / 2;
    const seatTop = seatHeight;
    const railHeight = 0.07;
    const railBottom = backHeight - railHeight - 0.02;

    const parts: PartInput[] = [
      part('seat', 'wood', roundedBox([width + 0.02, seat, depth + 0.02], 0.006, [0, seatHeight - seat, 0])),
      part('leg-front-left', 'wood', box([leg, seatHeight - seat + 0.002, leg], [-x, 0, z])),
      part('leg-front-right', 'wood', box([leg, seatHeight - seat + 0.002, leg], [x, 0, z])),
      // The back legs run on up as the posts of the back.
      part('leg-back-left', 'wood', box([leg, backHeight, leg], [-x, 0, -z])),
      part('leg-back-right', 'wood', box([leg, backHeight, leg], [x, 0, -z])),
      part('top-rail', 'wood', box([2 * x, railHeight, 0.025], [0, railBottom, -z])),
    ];
    // Slats between the seat and the top rail, sunk 1 mm into both.
    const span = 2 * x - leg;
    const slatWidth = Math.min(0.06, (span / slats) * 0.6);
    const slatHeight = railBottom - seatTop + 0.002;
    for (let i = 0; i < slats; i++) {
      const sx = -span / 2 + (span * (i + 0.5)) / slats;
      parts.push(part(`slat-${i + 1}`, 'wood', box([slatWidth, slatHeight, 0.015], [sx, seatTop - 0.001, -z])));
    }
    if (v.chance(0.6)) {
      parts.push(part('stretcher-left', 'wood', box([0.025, 0.025, 2 * z], [-x, 0.15, 0])));
      parts.push(part('stretcher-right', 'wood', box([0.025, 0.025, 2 * z], [x, 0.15, 0])));
    }
    const materials: Record<string, { baseColor: string; metallic: number; roughness: number }> = { wood: { baseColor: wood, metallic: 0, roughness: 0.55 } };
    if (v.chance(0.4)) {
      materials.cushion = { baseColor: v.pick(['#7a2630', '#2f4a6d', '#d8cfb8']), metallic: 0, roughness: 0.95 };
      parts.push(part('cushion', 'cushion', roundedBox([width - 0.02, 0.04, depth - 0.02], 0.015, [0, seatTop - 0.002, 0.005])));
    }
    return finishProgram({ name: 'chair', description: `A wooden chair with ${slats} back slat${slats === 1 ? '' : 's'}`, materials, parts }, scaleOf(params.scale));
  },
};
