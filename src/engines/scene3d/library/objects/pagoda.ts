import type { Point2, Shape } from '../../scene-program.ts';
import { colourOr, countOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part, type PartInput } from '../program.ts';
import { box, lathe, prism, regularPolygon } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const WALL_RED = '#8e2a1e';

/** An octagonal pagoda (塔) on a stone platform. count = tiers (default 5 or 7). */
export const pagoda: BuiltInObject = {
  id: 'pagoda',
  names: { zh: ['塔', '宝塔', '佛塔', '古塔', '木塔'], en: ['pagoda', 'tower', 'stupa'] },
  countWords: { zh: ['层', '级', '重檐', '重', '檐'], en: ['tier', 'tiers', 'tiered', 'storey', 'storeys', 'story', 'stories', 'storied', 'floor', 'floors', 'level', 'levels', 'roof', 'roofs'] },
  description: 'An octagonal pagoda on a stone platform: tiers of red walls under grey flared roofs, a gold spire. count = tiers.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const defaultTiers = v.pick([5, 7]);
    const tiers = countOr(params.count, defaultTiers, 1, 13);
    const radius = v.vary(2.2, 0.1);
    const shrink = v.vary(0.07, 0.15) * (7 / Math.max(tiers, 7));
    const flare = v.vary(1.5, 0.08);
    const platform = 0.6;

    const parts: PartInput[] = [part('platform', 'stone', prism(regularPolygon(8, radius * 1.6), platform))];
    const doors: Shape[] = [];
    let y = platform - 0.001;
    let tierRadius = radius;
    for (let i = 0; i < tiers; i++) {
      const wall = i === 0 ? 3 : 2.2 * (1 - 0.03 * i);
      parts.push(part(`tier-${i + 1}-walls`, 'wall', prism(regularPolygon(8, tierRadius), wall + 0.002, [0, y, 0])));
      // Four doors on alternate faces, standing 3 cm proud of the wall.
      const apothem = tierRadius * Math.cos(Math.PI / 8);
      const doorHeight = Math.min(1.9, wall * 0.7);
      doors.push({ type: 'radialArray', count: 4, child: box([0.1, doorHeight, 0.9 * (tierRadius / radius)], [apothem - 0.02, y + 0.15, 0]) });
      const nextRadius = tierRadius * (1 - shrink);
      const eave = tierRadius * flare;
      const eaveY = y + wall;
      const roofHeight = 0.45 + 0.1 * (tierRadius / radius);
      parts.push(
        part(`tier-${i + 1}-roof`, 'roof', {
          type: 'union',
          children: [prism(regularPolygon(8, eave), 0.14, [0, eaveY, 0]), prism(regularPolygon(8, eave * 0.96), roofHeight, [0, eaveY + 0.139, 0], (nextRadius * 1.02) / (eave * 0.96))],
        }),
      );
      y = eaveY + 0.14 + roofHeight - 0.001;
      tierRadius = nextRadius;
    }
    // The spire turned from one outline: a mast with five rings, a pearl and a point.
    const spire: Point2[] = [[0, 0], [0.3, 0], [0.12, 0.25]];
    for (let i = 0; i < 5; i++) spire.push([0.12, 0.45 + i * 0.35], [0.3, 0.5 + i * 0.35], [0.3, 0.58 + i * 0.35], [0.12, 0.63 + i * 0.35]);
    spire.push([0.12, 2.15], [0.2, 2.3], [0.12, 2.45], [0.1, 2.5], [0, 3.25]);
    parts.push(part('spire', 'gold', lathe(spire, [0, y, 0])));
    parts.push(part('doors', 'door', { type: 'union', children: doors }));

    return finishProgram(
      {
        name: 'pagoda',
        description: `An octagonal pagoda with ${tiers} tier${tiers === 1 ? '' : 's'}`,
        materials: {
          stone: { baseColor: '#8a8580', metallic: 0, roughness: 0.95 },
          wall: { baseColor: colourOr(params.colour, WALL_RED), metallic: 0, roughness: 0.7 },
          roof: { baseColor: v.pick(['#3a3f44', '#2f4f4f', '#4a3b2e']), metallic: 0, roughness: 0.8 },
          door: { baseColor: '#3b2314', metallic: 0, roughness: 0.6 },
          gold: { baseColor: '#d4a72c', metallic: 1, roughness: 0.3 },
        },
        parts,
      },
      scaleOf(params.scale),
    );
  },
};
