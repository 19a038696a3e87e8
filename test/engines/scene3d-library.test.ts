import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildScene, buildSceneInThread } from '../../src/engines/scene3d/build-scene.ts';
import { BUILT_IN_OBJECTS, chooseBuiltIn, fewShotExamples, parsePromptWords } from '../../src/engines/scene3d/library/index.ts';
import { teacupBody } from '../../src/engines/scene3d/library/objects/teacup.ts';
import { signedArea, solidLathe } from '../../src/engines/scene3d/library/shapes.ts';
import type { BuiltInObject, ObjectParams } from '../../src/engines/scene3d/library/types.ts';
import { DETAIL_LEVELS, sceneProgramSchema, type SceneProgramInput, type Shape } from '../../src/engines/scene3d/scene-program.ts';
import { GRAMMAR_SHAPE_DEPTH } from '../../src/engines/scene3d/text-to-scene-schema.ts';
import { shapeDepth } from '../../src/engines/scene3d/validate-program.ts';

/**
 * The built-in object library: every program is valid for any parameters, deterministic per
 * seed, real-world sized, and (built by the real kernel) closed, within budget and, for the
 * teacup, really hollow. Prompt words choose and parameterise the objects.
 */

const object = (id: string): BuiltInObject => {
  const found = BUILT_IN_OBJECTS.find((o) => o.id === id);
  assert.ok(found, id);
  return found;
};

function assertValid(program: SceneProgramInput, label: string): void {
  const result = sceneProgramSchema.safeParse(program);
  assert.ok(result.success, `${label}: ${result.success ? '' : JSON.stringify(result.error.issues.slice(0, 3))}`);
  assert.ok(program.parts.length <= 40, `${label}: ${program.parts.length} parts`);
  // The text model's grammar unrolls shapes GRAMMAR_SHAPE_DEPTH composite levels above the primitives:
  // the library's programs are its examples, so they must be writable under it.
  for (const part of program.parts) assert.ok(shapeDepth(part.shape as Shape) <= GRAMMAR_SHAPE_DEPTH + 1, `${label}: part ${part.name} nests too deep`);
}

const PARAMS: ObjectParams[] = [
  { seed: 0 },
  ...[1, 2, 3, 7, 42, 2 ** 32 - 1].map((seed) => ({ seed })),
  ...[0, 1, 2, 3, 4, 5, 7, 8, 13, 40, 200].map((count) => ({ seed: 5, count })),
  ...['#c8161d', '#d4af37', '#2a5caa', '#000000', '#ffffff'].map((colour) => ({ seed: 6, colour })),
  // Not a #rrggbb: the object keeps its own colour rather than writing an invalid one.
  ...['red', '#12345', ''].map((colour) => ({ seed: 6, colour })),
  ...[0.01, 0.35, 0.6, 1.5, 2.5, 100].map((scale) => ({ seed: 8, scale })),
  { seed: 9, colour: '#2e8b3d', scale: 2, count: 3 },
];

test('the library has the ten objects the issue names, with Chinese and English names', () => {
  assert.deepEqual(BUILT_IN_OBJECTS.map((o) => o.id).sort(), ['chair', 'house', 'lantern', 'pagoda', 'sword', 'table', 'teacup', 'tree', 'trophy', 'vase']);
  for (const o of BUILT_IN_OBJECTS) assert.ok(o.names.zh.length > 0 && o.names.en.length > 0 && o.description.length > 0, o.id);
});

test('every object writes a valid scene program for defaults, seeds, counts, colours and sizes', () => {
  for (const o of BUILT_IN_OBJECTS) for (const params of PARAMS) assertValid(o.build(params), `${o.id} ${JSON.stringify(params)}`);
});

test('materials are PBR: the lantern paper glows, the sword blade is metal, a colour reaches the main material', () => {
  const lantern = object('lantern').build({ seed: 0 });
  assert.ok(lantern.materials.paper?.emissive !== undefined && (lantern.materials.paper.opacity ?? 1) < 1);
  const sword = object('sword').build({ seed: 0 });
  const blade = sword.parts.find((p) => p.name === 'blade');
  assert.equal(sword.materials[blade!.material]?.metallic, 1);
  for (const o of BUILT_IN_OBJECTS) {
    const program = o.build({ seed: 4, colour: '#123456' });
    assert.ok(Object.values(program.materials).some((m) => m.baseColor === '#123456'), `${o.id} ignores the colour`);
    for (const [name, m] of Object.entries(program.materials)) assert.ok(m.metallic !== undefined && m.roughness !== undefined, `${o.id}.${name}`);
  }
});

test('counts set the repeated feature: pagoda tiers, table legs, chair slats, lantern ribs', () => {
  const tiers = (n: number) => object('pagoda').build({ seed: 1, count: n }).parts.filter((p) => /^tier-\d+-walls$/.test(p.name)).length;
  assert.equal(tiers(7), 7);
  assert.equal(tiers(3), 3);
  assert.ok([5, 7].includes(tiers(Number.NaN)), 'default 5 or 7 tiers');
  const legs = (n?: number) => object('table').build(n === undefined ? { seed: 1 } : { seed: 1, count: n }).parts.filter((p) => p.name.startsWith('leg-')).length;
  assert.equal(legs(), 4);
  assert.equal(legs(3), 3);
  assert.equal(legs(6), 6);
  assert.equal(object('chair').build({ seed: 1, count: 5 }).parts.filter((p) => p.name.startsWith('slat-')).length, 5);
  const ribs = object('lantern').build({ seed: 1, count: 16 }).parts.find((p) => p.name === 'ribs')!.shape as Shape;
  assert.ok(ribs.type === 'intersection' && ribs.children.some((c: Shape) => c.type === 'radialArray' && c.count === 16));
});

test('same seed, same program; other seeds give other programs', async () => {
  for (const o of BUILT_IN_OBJECTS) {
    assert.deepEqual(o.build({ seed: 11, colour: '#ff0000', count: 3 }), o.build({ seed: 11, colour: '#ff0000', count: 3 }), o.id);
    const programs = [0, 1, 2, 3, 4, 5].map((seed) => JSON.stringify(o.build({ seed })));
    assert.ok(new Set(programs).size >= 3, `${o.id}: seeds make no difference`);
  }
});

test('no two objects write the same program', () => {
  const all = BUILT_IN_OBJECTS.map((o) => JSON.stringify(o.build({ seed: 0 })));
  assert.equal(new Set(all).size, all.length);
});

// ——— prompt words ———

const RED = '#c8161d';
const BLUE = '#2a5caa';
const GOLD = '#d4af37';

const PROMPTS: Array<[string, { objectId?: string; colour?: string; scale?: number; count?: number }]> = [
  ['一盏红灯笼', { objectId: 'lantern', colour: RED }],
  ['一把剑', { objectId: 'sword' }],
  ['a big blue vase', { objectId: 'vase', colour: BLUE, scale: 1.5 }],
  ['七层宝塔', { objectId: 'pagoda', count: 7 }],
  ['一座十三层的塔', { objectId: 'pagoda', count: 13 }],
  ['七级浮屠宝塔', { objectId: 'pagoda', count: 7 }],
  ['a five-tier pagoda', { objectId: 'pagoda', count: 5 }],
  ['a 9 tiered pagoda', { objectId: 'pagoda', count: 9 }],
  ['四条腿的桌子', { objectId: 'table', count: 4 }],
  ['a table with three legs', { objectId: 'table', count: 3 }],
  ['a three-legged table', { objectId: 'table', count: 3 }],
  ['一张小桌子', { objectId: 'table', scale: 0.6 }],
  ['两把椅子', { objectId: 'chair' }],
  ['two chairs', { objectId: 'chair' }],
  ['五根靠板的椅子', { objectId: 'chair', count: 5 }],
  ['巨大的金色奖杯', { objectId: 'trophy', colour: GOLD, scale: 2.5 }],
  ['a gold trophy cup', { objectId: 'trophy', colour: GOLD }],
  ['a tiny white teacup', { objectId: 'teacup', colour: '#f2f2ee', scale: 0.35 }],
  ['一只迷你茶杯', { objectId: 'teacup', scale: 0.35 }],
  ['一棵粉色的樱花树', { objectId: 'tree', colour: '#f2a0bc' }],
  ['两层的房子', { objectId: 'house', count: 2 }],
  ['a house with 3 floors', { objectId: 'house', count: 3 }],
  ['一把青铜剑', { objectId: 'sword', colour: '#b08d57' }],
  ['桌上的花瓶', { objectId: 'vase' }],
  ['a vase on a table', { objectId: 'vase' }],
  ['Red Lanterns', { objectId: 'lantern', colour: RED }],
  ['three trophies', { objectId: 'trophy' }],
  ['ＴＥＡＣＵＰ', { objectId: 'teacup' }],
  ['九重塔', { objectId: 'pagoda', count: 9 }],
  ['二十根骨的灯笼', { objectId: 'lantern', count: 20 }],
  ['三圈纹饰的花瓶', { objectId: 'vase', count: 3 }],
  ['a vase with 2 bands', { objectId: 'vase', count: 2 }],
  // A number counts only the chosen object's own feature.
  ['三个窗户的房子', { objectId: 'house' }],
  ['a three-legged chair', { objectId: 'chair' }],
  ['一把剑和七层塔', { objectId: 'sword' }],
  ['a spaceship', {}],
  ['', {}],
];

test('prompt words: object, colour, size and feature count in Chinese and English', () => {
  for (const [prompt, expected] of PROMPTS) {
    const words = parsePromptWords(prompt, BUILT_IN_OBJECTS);
    const got = { objectId: words.objectId, colour: words.colour, scale: words.scale, count: words.count };
    assert.deepEqual(got, { objectId: expected.objectId, colour: expected.colour, scale: expected.scale, count: expected.count }, prompt);
  }
});

test('chooseBuiltIn parameterises the object from the prompt, and is undefined when no object matches', () => {
  const lantern = chooseBuiltIn('一盏红灯笼', 7);
  assert.ok(lantern);
  assert.equal(lantern.object.id, 'lantern');
  assert.deepEqual(lantern.params, { seed: 7, colour: RED });
  assert.deepEqual(lantern.program, lantern.object.build(lantern.params));
  assert.equal(lantern.program.materials.paper?.baseColor, RED);

  const pagoda = chooseBuiltIn('七层宝塔', 1);
  assert.equal(pagoda?.program.parts.filter((p) => /^tier-\d+-walls$/.test(p.name)).length, 7);
  const sword = chooseBuiltIn('一把剑', 1);
  assert.equal(sword?.params.count, undefined);
  assert.equal(chooseBuiltIn('a spaceship', 1), undefined);
  assert.equal(chooseBuiltIn('', 1), undefined);
});

test('fewShotExamples gives compact, valid, different (prompt, program) pairs', () => {
  const examples = fewShotExamples(3);
  assert.equal(examples.length, 3);
  assert.equal(fewShotExamples(0).length, 0);
  assert.equal(new Set(examples.map((e) => e.program.name)).size, 3);
  for (const e of examples) {
    assertValid(e.program, e.prompt);
    assert.equal(chooseBuiltIn(e.prompt, 1)?.object.id, e.program.name, e.prompt);
    assert.ok(JSON.stringify(e.program).length < 4000, `${e.prompt}: ${JSON.stringify(e.program).length} characters`);
  }
  assert.deepEqual(fewShotExamples(3), examples);
});

// ——— built by the real kernel ———

/** Height range (metres) of each object at its usual size, built. */
const HEIGHTS: Readonly<Record<string, [number, number]>> = {
  lantern: [0.35, 0.8],
  sword: [0.75, 1.2],
  teacup: [0.06, 0.12],
  table: [0.7, 0.8],
  chair: [0.8, 1.1],
  pagoda: [8, 40],
  house: [3.5, 15],
  tree: [3, 9],
  vase: [0.2, 0.45],
  trophy: [0.2, 0.5],
};

test('every object builds at medium detail: watertight, within the triangle budget, real-world height', async () => {
  const { maxTriangles } = DETAIL_LEVELS.medium;
  for (const o of BUILT_IN_OBJECTS) {
    const built = await buildScene(o.build({ seed: 0 }), { detail: 'medium' });
    assert.equal(built.metrics.watertight, true, `${o.id}: ${built.metrics.parts.filter((p) => !p.watertight).map((p) => p.name).join(', ')}`);
    assert.ok(built.metrics.triangles < maxTriangles / 2, `${o.id}: ${built.metrics.triangles} triangles`);
    for (const p of built.metrics.parts) assert.ok(p.volumeMm3 > 0, `${o.id}.${p.name} has no volume`);
    const height = built.metrics.boundingBoxMm.size[1] / 1000;
    const [low, high] = HEIGHTS[o.id]!;
    assert.ok(height >= low && height <= high, `${o.id}: ${height} m tall`);
    assert.ok(Math.abs(built.metrics.boundingBoxMm.min[1]) < 0.5, `${o.id} stands on y = 0 (lowest ${built.metrics.boundingBoxMm.min[1]} mm)`);
  }
});

test('seeds change an object only within bounds; size words scale it', async () => {
  const size = async (params: ObjectParams, id: string) => (await buildSceneInThread(object(id).build(params), { detail: 'low' })).metrics.boundingBoxMm.size;
  // Storeys and tiers default by seed (1 or 2, 5 or 7): held fixed here, the rest varies.
  const counts: Readonly<Record<string, number>> = { house: 2, pagoda: 5 };
  for (const o of BUILT_IN_OBJECTS) {
    const count = counts[o.id];
    const [, reference] = await size({ seed: 0, ...(count === undefined ? {} : { count }) }, o.id);
    for (const seed of [1, 2, 3]) {
      const [, height] = await size({ seed, ...(count === undefined ? {} : { count }) }, o.id);
      assert.ok(Math.abs(height! - reference!) / reference! < 0.35, `${o.id} seed ${seed}: ${height} mm vs ${reference} mm`);
    }
  }
  for (const id of ['lantern', 'teacup', 'pagoda', 'vase']) {
    const [, normal] = await size({ seed: 3 }, id);
    const [, big] = await size({ seed: 3, scale: 2 }, id);
    assert.ok(Math.abs(big! / normal! - 2) < 1e-3, `${id}: ${big} vs ${normal}`);
  }
  // A bigger table grows in plan, not in height.
  const [width, height] = await size({ seed: 3 }, 'table');
  const [bigWidth, bigHeight] = await size({ seed: 3, scale: 2 }, 'table');
  assert.equal(bigHeight, height);
  assert.ok(bigWidth! > 1.8 * width!);
});

test('the teacup is really hollow: its volume is its outer solid less the inside, within 3 %', async () => {
  for (const seed of [0, 1, 2]) {
    const body = teacupBody(seed);
    const program = object('teacup').build({ seed });
    const built = await buildSceneInThread(program, { detail: 'medium' });
    const cup = built.metrics.parts.find((p) => p.name === 'cup')!.volumeMm3;
    const outerProgram: SceneProgramInput = { name: 'outer', materials: { m: { baseColor: '#ffffff' } }, parts: [{ name: 'outer', material: 'm', shape: { type: 'revolve', profile: solidLathe(body.radiusAt, body.height) } }] };
    const outer = (await buildSceneInThread(outerProgram, { detail: 'medium' })).metrics.volumeMm3;
    assert.ok(cup > 0 && cup < outer * 0.6, `seed ${seed}: cup ${cup} mm³, outer solid ${outer} mm³`);
    // The inside: a solid of revolution of the inner wall, from the floor to the rim.
    let inside = 0;
    const steps = 2000;
    for (let i = 0; i < steps; i++) {
      const y = body.floor + ((body.height - body.floor) * (i + 0.5)) / steps;
      inside += Math.PI * (body.radiusAt(y / body.height) - body.wall) ** 2 * ((body.height - body.floor) / steps);
    }
    const hollow = outer - cup;
    const expected = inside * 1e9;
    assert.ok(Math.abs(hollow - expected) / expected < 0.03, `seed ${seed}: hollow ${hollow} mm³ vs ${expected} mm³`);
  }
});

test('extruded parts have their full volume: prism walls and the tapered sword blade', async () => {
  const pagoda = object('pagoda').build({ seed: 0 });
  const built = await buildSceneInThread(pagoda, { detail: 'low' });
  for (const part of pagoda.parts.filter((p) => /^tier-\d+-walls$/.test(p.name))) {
    const shape = part.shape as Shape;
    assert.equal(shape.type, 'extrude');
    if (shape.type !== 'extrude') continue;
    const expected = Math.abs(signedArea(shape.profile)) * shape.height * 1e9;
    const volume = built.metrics.parts.find((p) => p.name === part.name)!.volumeMm3;
    assert.ok(Math.abs(volume - expected) / expected < 1e-4, `${part.name}: ${volume} mm³ vs ${expected} mm³`);
  }
  const sword = object('sword').build({ seed: 0 });
  const blade = sword.parts.find((p) => p.name === 'blade')!;
  const bladeBuilt = await buildSceneInThread({ ...sword, parts: [blade] }, { detail: 'low' });
  const bladeShape = blade.shape as Shape;
  const [bladeOnly] = bladeShape.type === 'intersection' ? bladeShape.children : [];
  assert.ok(bladeOnly?.type === 'extrude');
  // The tip of the silhouette is the top of the blade: a collapsed taper would cut it short.
  const tip = Math.max(...bladeOnly.profile.map(([, y]) => y)) + bladeOnly.transform!.translate![1];
  assert.ok(Math.abs(bladeBuilt.metrics.boundingBoxMm.max[1] - tip * 1000) < 1, `blade top ${bladeBuilt.metrics.boundingBoxMm.max[1]} mm vs tip ${tip * 1000} mm`);
});
