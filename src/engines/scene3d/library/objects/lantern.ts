import type { Point2 } from '../../scene-program.ts';
import { colourOr, countOr, lighter, scaleOf, variation } from '../params.ts';
import { finishProgram, part } from '../program.ts';
import { box, cylinder, lathe, sphere, uprightTorus } from '../shapes.ts';
import type { BuiltInObject, ObjectParams } from '../types.ts';

const PAPER_RED = '#c8161d';

/** A red paper lantern (灯笼): a glowing ribbed paper body between two caps, a ring to hang it by and a tassel. */
export const lantern: BuiltInObject = {
  id: 'lantern',
  names: { zh: ['灯笼', '红灯笼', '宫灯', '纸灯笼'], en: ['lantern', 'paper lantern', 'chinese lantern'] },
  countWords: { zh: ['骨', '肋', '瓣'], en: ['rib', 'ribs', 'ribbed', 'spoke', 'spokes'] },
  description: 'A red paper lantern: a glowing ribbed paper body between two gold caps, a hanging ring and a silk tassel. count = ribs.',
  build(params: ObjectParams) {
    const v = variation(params.seed);
    const ribs = countOr(params.count, 12, 4, 36);
    const paper = colourOr(params.colour, PAPER_RED);
    const radius = v.vary(0.17, 0.08);
    const height = v.vary(0.3, 0.1);
    const endRadius = radius * 0.42;
    // Below 1 the paper bulges more (rounder); above 1 it is more of a barrel.
    const fullness = v.vary(0.75, 0.2);
    const radiusAt = (t: number) => endRadius + (radius - endRadius) * Math.sin(Math.PI * t) ** fullness;

    const tasselHeight = 0.14;
    const knotRadius = 0.016;
    const capHeight = 0.03;
    const capBottom = tasselHeight + 2 * knotRadius + 0.01;
    const bodyBottom = capBottom + capHeight - 0.005;
    const capTop = bodyBottom + height - 0.005;
    const ringMajor = 0.025;
    const ringMinor = 0.004;

    const steps = 16;
    const body: Point2[] = [[0, 0]];
    for (let i = 0; i <= steps; i++) body.push([radiusAt(i / steps), (height * i) / steps]);
    body.push([0, height]);

    // The ribs: a shell standing 4 mm proud of the paper (sunk 2 mm into it), cut down to thin
    // vertical fins, one per rib, each running from the axis outward. Cheaper than partial revolves.
    const shell: Point2[] = [];
    for (let i = 0; i <= steps; i++) shell.push([radiusAt(i / steps) + 0.004, (height * i) / steps]);
    for (let i = steps; i >= 0; i--) shell.push([radiusAt(i / steps) - 0.002, (height * i) / steps]);
    const reach = radius + 0.02;
    const fin = box([reach, height + 0.002, 0.007], [reach / 2, bodyBottom - 0.001, 0]);

    // A cap: a short drum with a rounded lip.
    const lip = 0.006;
    const capOutline: Point2[] = [
      [0, 0],
      [endRadius, 0],
      [endRadius + lip, lip],
      [endRadius + lip, capHeight - lip],
      [endRadius, capHeight],
      [0, capHeight],
    ];

    return finishProgram(
      {
        name: 'lantern',
        description: `A paper lantern with ${ribs} ribs`,
        materials: {
          paper: { baseColor: paper, metallic: 0, roughness: 0.85, emissive: lighter(paper, 0.25), emissiveStrength: 1.5, opacity: 0.9 },
          rib: { baseColor: '#5a1a12', metallic: 0, roughness: 0.6 },
          gold: { baseColor: '#d4a72c', metallic: 1, roughness: 0.3 },
          lacquer: { baseColor: '#151212', metallic: 0, roughness: 0.35 },
          silk: { baseColor: v.pick(['#d21f26', '#e0b030']), metallic: 0, roughness: 0.9 },
        },
        parts: [
          part('tassel', 'silk', { type: 'union', children: [cylinder(0.028, tasselHeight, [0, 0, 0], 0.01), cylinder(0.003, capBottom - tasselHeight + 0.004, [0, tasselHeight - 0.002, 0])] }),
          part('tassel-knot', 'gold', sphere(knotRadius, [0, tasselHeight + knotRadius - 0.002, 0])),
          part('bottom-cap', v.pick(['gold', 'lacquer']), lathe(capOutline, [0, capBottom, 0])),
          part('paper-body', 'paper', lathe(body, [0, bodyBottom, 0])),
          part('ribs', 'rib', { type: 'intersection', children: [lathe(shell, [0, bodyBottom, 0]), { type: 'radialArray', count: ribs, child: fin }] }),
          part('top-cap', 'gold', lathe(capOutline, [0, capTop, 0])),
          part('hanging-ring', 'gold', uprightTorus(ringMajor, ringMinor, [0, capTop + capHeight + ringMajor - 0.002, 0])),
        ],
      },
      scaleOf(params.scale),
    );
  },
};
