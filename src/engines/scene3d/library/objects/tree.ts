import type { Shape } from '../../scene-program.ts';
import { colourOr, countOr, scaleOf, variation } from '../params.ts';
import { finishProgram, part } from '../program.ts';
import { cone, cylinder, placed, sphere } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const LEAVES = '#3f7d3a';
const NEEDLES = '#2d5a34';

/**
 * A tree (树), about 5–6 m: a broad-leaved tree (a cluster of round crowns on a forked trunk) or,
 * for some seeds, a conifer (stacked cones). count = crowns or cone layers.
 */
export const tree: BuiltInObject = {
  id: 'tree',
  names: { zh: ['树', '大树', '树木', '松树', '果树', '樱花树'], en: ['tree', 'oak', 'pine', 'fir'] },
  countWords: { zh: ['层', '团', '簇'], en: ['layer', 'layers', 'layered', 'crown', 'crowns', 'tier', 'tiers'] },
  description: 'A tree about 5-6 m tall: round leafy crowns on a forked trunk, or a conifer of stacked cones. count = crowns or cone layers.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const conifer = v.chance(0.35);
    const trunkHeight = v.vary(conifer ? 5.2 : 3.2, 0.1);
    const trunkRadius = v.vary(conifer ? 0.16 : 0.2, 0.15);
    let trunk: Shape;
    let crown: Shape;

    if (conifer) {
      const layers = countOr(params.count, 4, 2, 10);
      const base = v.vary(1.8, 0.1);
      const layerHeight = v.vary(1.9, 0.1);
      const start = 1.1;
      const rise = (trunkHeight + 0.6 - start - layerHeight) / Math.max(layers - 1, 1);
      const cones: Shape[] = [];
      for (let i = 0; i < layers; i++) cones.push(cone(base * (1 - (0.6 * i) / layers), layerHeight, [0, start + i * rise, 0]));
      trunk = cylinder(trunkRadius, trunkHeight, [0, 0, 0], trunkRadius * 0.4);
      crown = { type: 'union', children: cones };
    } else {
      const crowns = countOr(params.count, 5, 1, 12);
      const centre = trunkHeight + 0.9;
      const spheres: Shape[] = [sphere(v.vary(1.5, 0.1), [0, centre + 0.3, 0])];
      for (let i = 1; i < crowns; i++) {
        const angle = (i / (crowns - 1)) * 2 * Math.PI + v.vary(1, 0.2);
        const reach = v.vary(1.1, 0.2);
        spheres.push(sphere(v.vary(1.1, 0.15), [reach * Math.cos(angle), centre + v.vary(0.4, 1) - 0.2, reach * Math.sin(angle)]));
      }
      // Two boughs lean out of the trunk into the crown: tilted about X, then turned about Y.
      const bough = (degrees: number, turn: number): Shape => placed(cylinder(trunkRadius * 0.55, 1.8, [0, 0, 0], trunkRadius * 0.3), [0, trunkHeight * 0.6, 0], [degrees, turn, 0]);
      trunk = { type: 'union', children: [cylinder(trunkRadius, trunkHeight + 0.4, [0, 0, 0], trunkRadius * 0.6), bough(35, (v.vary(1, 1) - 1) * 40), bough(-35, (v.vary(1, 1) - 1) * 40)] };
      crown = { type: 'union', children: spheres };
    }

    return finishProgram(
      {
        name: 'tree',
        description: conifer ? 'A conifer of stacked cones' : 'A broad-leaved tree with a round crown',
        materials: {
          bark: { baseColor: '#5a3d2b', metallic: 0, roughness: 0.95 },
          leaves: { baseColor: colourOr(params.colour, conifer ? NEEDLES : LEAVES), metallic: 0, roughness: 0.85 },
        },
        parts: [part('trunk', 'bark', trunk), part(conifer ? 'foliage' : 'crown', 'leaves', crown)],
      },
      scaleOf(params.scale),
    );
  },
};
