import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSceneInThread } from '../../src/engines/scene3d/build-scene.ts';
import { SCENE_LIMITS } from '../../src/engines/scene3d/scene-program.ts';
import { assertSceneInvalid, onePart } from './scene3d-helpers.ts';

/**
 * Hostile or broken scene programs (what a small text model may well write) are refused
 * with SCENE_INVALID and a message naming the problem: never a crash, a hang or a runaway
 * allocation. Limits that a schema cannot see are checked before any geometry is made.
 */

const build = (program: unknown, detail: 'low' | 'medium' | 'high' = 'low') => () => buildSceneInThread(program, { detail, formats: ['glb'] });

test('schema problems name their path: NaN, Infinity, 2 km, unknown primitive, unknown material', async () => {
  await assertSceneInvalid(build(onePart({ type: 'sphere', radius: Number.NaN })), /parts\.0\.shape\.radius/);
  await assertSceneInvalid(build(onePart({ type: 'box', size: [1, Number.POSITIVE_INFINITY, 1] })), /parts\.0\.shape\.size\.1/);
  await assertSceneInvalid(build(onePart({ type: 'cylinder', radius: 0.1, height: 2000 })), /parts\.0\.shape\.height/);
  await assertSceneInvalid(build(onePart({ type: 'teapot', size: 1 })), /parts\.0\.shape/);
  await assertSceneInvalid(build({ name: 'x', materials: { a: { baseColor: '#fff' } }, parts: [{ name: 'p', material: 'b', shape: { type: 'sphere', radius: 1 } }] }), /materials\.a\.baseColor[\s\S]*unknown material "b"/);
  await assertSceneInvalid(build('not a program'), /JSON object/);
});

test('100,000 parts are refused at once, before the schema walks them', async () => {
  const parts = Array.from({ length: 100_000 }, (_, i) => ({ name: `p${i}`, material: 'a', shape: { type: 'box', size: [0.1, 0.1, 0.1] } }));
  const started = performance.now();
  await assertSceneInvalid(build({ name: 'many', materials: { a: { baseColor: '#ffffff' } }, parts }), /100000 parts; at most 256/);
  assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
});

test('nested arrays whose expansion passes the shape limit fail fast, before any geometry', async () => {
  let shape: Record<string, unknown> = { type: 'torus', majorRadius: 0.1, minorRadius: 0.01 };
  for (let level = 0; level < 6; level++) shape = { type: 'array', count: 200, offset: [0.3, 0, 0], child: shape };
  const started = performance.now();
  await assertSceneInvalid(build(onePart(shape), 'high'), new RegExp(`more than ${SCENE_LIMITS.maxExpandedShapes} shapes`));
  // 200^6 tori would take the kernel years; the count saturates instead. Generous bound for a loaded machine.
  assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  // Refs multiply too: a part that references another 200 times, twice over.
  const refs = {
    name: 'refs',
    materials: { a: { baseColor: '#ffffff' } },
    parts: [
      { name: 'leaf', material: 'a', shape: { type: 'array', count: 200, offset: [1, 0, 0], child: { type: 'box', size: [0.1, 0.1, 0.1] } } },
      { name: 'grove', material: 'a', shape: { type: 'radialArray', count: 200, child: { type: 'ref', part: 'leaf' } } },
    ],
  };
  await assertSceneInvalid(build(refs), /more than 5000 shapes[\s\S]*"grove"/);
});

test('JSON nested thousands deep is refused, not a stack overflow', async () => {
  let shape: Record<string, unknown> = { type: 'box', size: [0.1, 0.1, 0.1] };
  for (let level = 0; level < 20_000; level++) shape = { type: 'union', children: [shape] };
  await assertSceneInvalid(build(onePart(shape)), /nested more than/);
  let modest: Record<string, unknown> = { type: 'box', size: [0.1, 0.1, 0.1] };
  for (let level = 0; level < SCENE_LIMITS.maxDepth + 2; level++) modest = { type: 'mirror', normal: [1, 0, 0], keepOriginal: false, child: modest };
  await assertSceneInvalid(build(onePart(modest)), /nests 19 levels of shapes; at most 16/);
});

test('an object graph that refers to itself, or shares subtrees exponentially, is refused fast', async () => {
  const loop: Record<string, unknown> = { type: 'union' };
  loop.children = [loop, loop, loop, loop, loop, loop, loop, loop];
  const started = performance.now();
  await assertSceneInvalid(build(onePart(loop)), /refers to itself|nested more than/);
  // A tree of 40 levels where every node lists the same child 8 times: 8^40 paths, 40 objects.
  let shared: Record<string, unknown> = { type: 'box', size: [0.1, 0.1, 0.1] };
  for (let level = 0; level < 12; level++) shared = { type: 'union', children: Array.from({ length: 8 }, () => shared) };
  await assertSceneInvalid(build(onePart(shared)), /more than 1,000,000 objects/);
  assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
});

test('a reference cycle and a reference to a missing part are refused', async () => {
  const cycle = {
    name: 'loop',
    materials: { a: { baseColor: '#ffffff' } },
    parts: [
      { name: 'a', material: 'a', shape: { type: 'union', children: [{ type: 'box', size: [1, 1, 1] }, { type: 'ref', part: 'b' }] } },
      { name: 'b', material: 'a', shape: { type: 'array', count: 2, offset: [1, 0, 0], child: { type: 'ref', part: 'a' } } },
    ],
  };
  await assertSceneInvalid(build(cycle), /cycle: a → b → a/);
  await assertSceneInvalid(build(onePart({ type: 'ref', part: 'self' }, 'self')), /cycle: self → self/);
  await assertSceneInvalid(build(onePart({ type: 'ref', part: 'ghost' })), /part "ghost", which the program does not have/);
});

test('a difference that removes everything names the emptied part', async () => {
  const hollow = { type: 'difference', base: { type: 'box', size: [0.1, 0.1, 0.1] }, subtract: [{ type: 'box', size: [0.2, 0.2, 0.2] }] };
  await assertSceneInvalid(build(onePart(hollow, 'lid')), /Part "lid" is empty/);
  const apart = { type: 'intersection', children: [{ type: 'sphere', radius: 0.1 }, { type: 'sphere', radius: 0.1, transform: { translate: [1, 0, 0] } }] };
  await assertSceneInvalid(build(onePart(apart, 'ghost')), /Part "ghost" is empty/);
});

test('the triangle budget of the detail level is enforced, early when the estimate is far over', async () => {
  // ~230,000 triangles at low detail (budget 50,000): refused from the estimate, before building.
  const manyTori = onePart({ type: 'array', count: 200, offset: [0.3, 0, 0], child: { type: 'torus', majorRadius: 0.1, minorRadius: 0.02 } });
  const started = performance.now();
  await assertSceneInvalid(build(manyTori, 'low'), /50,000 triangles allowed at detail "low"/);
  assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  // ~69,000: near enough that it is built, then refused on the exact count.
  const someTori = onePart({ type: 'array', count: 60, offset: [0.3, 0, 0], child: { type: 'torus', majorRadius: 0.1, minorRadius: 0.02 } });
  await assertSceneInvalid(build(someTori, 'low'), /50,000 triangles allowed at detail "low"/);
  // 40 tori (~46,000) fit.
  const fewerTori = onePart({ type: 'array', count: 40, offset: [0.3, 0, 0], child: { type: 'torus', majorRadius: 0.1, minorRadius: 0.02 } });
  const built = await buildSceneInThread(fewerTori, { detail: 'low', formats: ['stl'] });
  assert.ok(built.metrics.triangles > 40_000 && built.metrics.triangles <= 50_000, String(built.metrics.triangles));
});

test('degenerate shapes are refused with the part named', async () => {
  await assertSceneInvalid(build(onePart({ type: 'extrude', profile: [[0, 0], [0.1, 0], [0.2, 0]], height: 0.1 }, 'flat')), /part "flat": the extrude profile encloses no area/);
  await assertSceneInvalid(build(onePart({ type: 'revolve', profile: [[-0.1, 0], [-0.05, 0], [-0.05, 0.1]] }, 'inside')), /part "inside": the revolve profile .* encloses no area/);
  await assertSceneInvalid(build(onePart({ type: 'mirror', normal: [0, 0, 0], child: { type: 'box', size: [0.1, 0.1, 0.1] } })), /normal must not be \[0, 0, 0\]/);
  await assertSceneInvalid(build(onePart({ type: 'capsule', radius: 0.1, height: 0.1 })), /at least twice its radius/);
  await assertSceneInvalid(build(onePart({ type: 'roundedBox', size: [0.1, 0.1, 0.1], radius: 0.08 })), /more than half its smallest side/);
  // A hole covering the whole profile leaves nothing.
  const covered = { type: 'extrude', profile: [[0, 0], [0.1, 0], [0.1, 0.1]], holes: [[[-1, -1], [1, -1], [1, 1], [-1, 1]]], height: 0.1 };
  await assertSceneInvalid(build(onePart(covered)), /encloses no area/);
});

test('bad build options are refused', async () => {
  await assert.rejects(buildSceneInThread(onePart({ type: 'sphere', radius: 1 }), { detail: 'ultra' as 'low' }), (error: Error & { code?: string }) => error.code === 'INVALID_INPUT');
  await assert.rejects(buildSceneInThread(onePart({ type: 'sphere', radius: 1 }), { detail: 'low', formats: ['obj' as 'glb'] }), (error: Error & { code?: string }) => error.code === 'INVALID_INPUT');
});
