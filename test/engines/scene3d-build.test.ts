import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { unzipSync, strFromU8 } from 'fflate';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { validateBytes } from 'gltf-validator';
import { buildScene, buildSceneInThread } from '../../src/engines/scene3d/build-scene.ts';
import { DETAIL_LEVELS } from '../../src/engines/scene3d/scene-program.ts';
import { closeWorkerPool } from '../../src/workers/pool.ts';
import { assertWelded, CUP, cupProgram, ngonPrismVolume, onePart, stlVolume } from './scene3d-helpers.ts';

/**
 * The scene kernel end to end: programs built by manifold-3d and written as GLB, glTF, STL
 * and 3MF, checked with independent tools (the Khronos validator, our own divergence-theorem
 * volume, an XML parser) rather than with the code that wrote them.
 */

after(closeWorkerPool);

const ALL_FORMATS = ['glb', 'gltf', 'stl', '3mf'] as const;

test('a cup has the volume of its hollowed n-gon prisms, and within 1 % of the round cup', async () => {
  const { radius, height, wall, base } = CUP;
  for (const detail of ['medium', 'high'] as const) {
    const n = DETAIL_LEVELS[detail].circularSegments;
    const built = await buildSceneInThread(cupProgram(), { detail, formats: ['stl'] });
    const body = built.metrics.parts.find((part) => part.name === 'body')!;
    const prisms = (ngonPrismVolume(n, radius, height) - ngonPrismVolume(n, radius - wall, height - base)) * 1e9;
    const round = Math.PI * (radius * radius * height - (radius - wall) ** 2 * (height - base)) * 1e9;
    assert.ok(Math.abs(body.volumeMm3 - prisms) / prisms < 1e-5, `${detail}: ${body.volumeMm3} mm³ vs n-gon ${prisms} mm³`);
    assert.ok(Math.abs(body.volumeMm3 - round) / round < 0.01, `${detail}: ${body.volumeMm3} mm³ vs analytic ${round} mm³`);
    assert.equal(built.metrics.watertight, true);
    assert.deepEqual(built.metrics.boundingBoxMm.min.map(Math.round).slice(1), [0, -40]);
    assert.equal(Math.round(built.metrics.boundingBoxMm.max[1]), 90);
  }
});

test('GLB and glTF pass the Khronos validator with 0 errors; parts are named nodes with PBR materials', async () => {
  const built = await buildSceneInThread(cupProgram(), { detail: 'medium', formats: ['glb', 'gltf'] });
  for (const format of ['glb', 'gltf'] as const) {
    const report = await validateBytes(built.files[format]!);
    assert.equal(report.issues.numErrors, 0, `${format}: ${JSON.stringify(report.issues.messages.slice(0, 5))}`);
  }
  const json = JSON.parse(new TextDecoder().decode(built.files.gltf)) as {
    asset: { generator: string };
    nodes: Array<{ name: string; mesh: number }>;
    materials: Array<{ name: string; alphaMode?: string; pbrMetallicRoughness: { baseColorFactor: number[] }; emissiveFactor?: number[]; extensions?: Record<string, { emissiveStrength: number }> }>;
    buffers: Array<{ uri: string }>;
  };
  assert.equal(json.asset.generator, 'Shenbi');
  assert.deepEqual(json.nodes.map((node) => node.name), ['body', 'handle']);
  assert.equal(json.buffers.length, 1);
  assert.match(json.buffers[0]!.uri, /^data:application\/octet-stream;base64,/);
  const glaze = json.materials.find((material) => material.name === 'glaze')!;
  assert.equal(glaze.alphaMode, 'BLEND');
  // #c8102e decoded from sRGB: 0xc8 = 200 → 0.5776, 0x10 = 16 → 0.00518, 0x2e = 46 → 0.0273; opacity 0.8 in alpha.
  assert.deepEqual(glaze.pbrMetallicRoughness.baseColorFactor.map((c) => Number(c.toFixed(4))), [0.5776, 0.0052, 0.0273, 0.8]);
  assert.equal(glaze.extensions?.KHR_materials_emissive_strength?.emissiveStrength, 2);
  const porcelain = json.materials.find((material) => material.name === 'porcelain')!;
  assert.equal(porcelain.alphaMode, undefined);
});

test('STL volume (divergence theorem) equals the kernel volume; STL, 3MF and metrics agree on triangles', async () => {
  const built = await buildSceneInThread(cupProgram(), { detail: 'medium', formats: ALL_FORMATS });
  const stl = built.files.stl!;
  assert.notEqual(new TextDecoder().decode(stl.subarray(0, 5)), 'solid', 'a binary STL must not start with "solid"');
  const { volume, triangles } = stlVolume(stl);
  assert.equal(triangles, built.metrics.triangles);
  assert.ok(Math.abs(volume - built.metrics.volumeMm3) / built.metrics.volumeMm3 < 1e-4, `STL ${volume} mm³ vs kernel ${built.metrics.volumeMm3} mm³`);

  const zip = unzipSync(built.files['3mf']!);
  assert.deepEqual(Object.keys(zip).sort(), ['3D/3dmodel.model', '[Content_Types].xml', '_rels/.rels']);
  const xml = strFromU8(zip['3D/3dmodel.model']!);
  assert.equal(XMLValidator.validate(xml), true);
  for (const name of ['[Content_Types].xml', '_rels/.rels']) assert.equal(XMLValidator.validate(strFromU8(zip[name]!)), true, name);
  const model = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['object', 'vertex', 'triangle', 'item', 'base'].includes(name) }).parse(xml) as {
    model: { '@_unit': string; resources: { object: Array<{ '@_name': string; mesh: { vertices: { vertex: unknown[] }; triangles: { triangle: unknown[] } } }> }; build: { item: unknown[] } };
  };
  assert.equal(model.model['@_unit'], 'millimeter');
  const objects = model.model.resources.object;
  assert.deepEqual(objects.map((object) => object['@_name']), ['body', 'handle']);
  assert.equal(objects.reduce((sum, object) => sum + object.mesh.triangles.triangle.length, 0), built.metrics.triangles);
  assert.equal(model.model.build.item.length, 2);

  // GLB volume: the same triangles (positions welded, winding kept) enclose the same volume.
  assert.equal(built.metrics.parts.reduce((sum, part) => sum + part.triangles, 0), built.metrics.triangles);
});

test('the same program and detail give byte-identical files in every format', async () => {
  const first = await buildSceneInThread(cupProgram(), { detail: 'medium', formats: ALL_FORMATS });
  const second = await buildSceneInThread(cupProgram(), { detail: 'medium', formats: ALL_FORMATS });
  for (const format of ALL_FORMATS) assert.ok(Buffer.from(first.files[format]!).equals(Buffer.from(second.files[format]!)), `${format} differs between two builds`);
});

test('buildScene runs on the worker pool and gives the in-thread bytes; its errors keep their code', async () => {
  const pooled = await buildScene(cupProgram(), { detail: 'low', formats: ['glb'] });
  const local = await buildSceneInThread(cupProgram(), { detail: 'low', formats: ['glb'] });
  assert.ok(Buffer.from(pooled.files.glb!).equals(Buffer.from(local.files.glb!)));
  assert.equal(pooled.metrics.triangles, local.metrics.triangles);
  await assert.rejects(buildScene(onePart({ type: 'pyramid', size: 1 }), { detail: 'low' }), (error: Error & { code?: string }) => error.code === 'SCENE_INVALID' && /parts\.0\.shape/.test(error.message));
});

test('transforms apply scale, then rotate X→Y→Z, then translate; primitives stand on y = 0 centred on Y', async () => {
  const box = onePart({ type: 'box', size: [0.2, 0.1, 0.1], transform: { scale: [2, 1, 1], rotate: [0, 0, 90], translate: [1, 0, 0] } });
  const { boundingBoxMm } = (await buildSceneInThread(box, { detail: 'low', formats: ['stl'] })).metrics;
  assert.deepEqual(boundingBoxMm.min, [900, -200, -50]);
  assert.deepEqual(boundingBoxMm.max, [1000, 200, 50]);
  // An extrude raises its (x, z) profile along +Y; a revolve turns (radius, y) about Y.
  const extrude = onePart({ type: 'extrude', profile: [[0, 0], [0.1, 0], [0.1, 0.05], [0, 0.05]], height: 0.02 });
  assert.deepEqual((await buildSceneInThread(extrude, { detail: 'low', formats: ['stl'] })).metrics.boundingBoxMm.max, [100, 20, 50]);
  const sphere = onePart({ type: 'sphere', radius: 0.5 });
  const sphereBox = (await buildSceneInThread(sphere, { detail: 'low', formats: ['stl'] })).metrics.boundingBoxMm;
  assert.equal(sphereBox.min[1], 0);
  assert.equal(sphereBox.max[1], 1000);
});

test('every primitive and composite builds watertight', async () => {
  const program = {
    name: 'kit',
    materials: { a: { baseColor: '#808080' } },
    parts: [
      { name: 'roundedBox', material: 'a', shape: { type: 'roundedBox', size: [0.1, 0.2, 0.3], radius: 0.02 } },
      { name: 'cone', material: 'a', shape: { type: 'cone', radius: 0.05, height: 0.1 } },
      { name: 'frustum', material: 'a', shape: { type: 'cylinder', radius: 0.05, radiusTop: 0.02, height: 0.1 } },
      { name: 'capsule', material: 'a', shape: { type: 'capsule', radius: 0.02, height: 0.1 } },
      { name: 'twisted', material: 'a', shape: { type: 'extrude', profile: [[-0.05, -0.05], [0.05, -0.05], [0.05, 0.05], [-0.05, 0.05]], holes: [[[-0.02, -0.02], [0.02, -0.02], [0, 0.02]]], height: 0.2, twist: 90, scaleTop: 0.5 } },
      { name: 'vase', material: 'a', shape: { type: 'revolve', profile: [[0, 0], [0.05, 0], [0.08, 0.1], [0.03, 0.2], [0, 0.2]], degrees: 300 } },
      { name: 'ring', material: 'a', shape: { type: 'radialArray', count: 8, child: { type: 'sphere', radius: 0.01, transform: { translate: [0.1, 0, 0] } } } },
      { name: 'row', material: 'a', shape: { type: 'array', count: 4, offset: [0.03, 0, 0], child: { type: 'box', size: [0.02, 0.02, 0.02] } } },
      { name: 'pair', material: 'a', shape: { type: 'mirror', normal: [1, 0, 0], child: { type: 'ref', part: 'capsule', transform: { translate: [0.3, 0, 0] } } } },
      { name: 'lens', material: 'a', shape: { type: 'intersection', children: [{ type: 'sphere', radius: 0.1 }, { type: 'sphere', radius: 0.1, transform: { translate: [0.1, 0, 0] } }] } },
      { name: 'union', material: 'a', shape: { type: 'union', children: [{ type: 'box', size: [0.1, 0.1, 0.1] }, { type: 'torus', majorRadius: 0.1, minorRadius: 0.01 }] } },
    ],
  };
  const built = await buildSceneInThread(program, { detail: 'low', formats: ['glb'] });
  assert.equal(built.metrics.parts.length, program.parts.length);
  for (const part of built.metrics.parts) {
    assert.equal(part.watertight, true, part.name);
    assert.ok(part.volumeMm3 > 0, part.name);
  }
  // The mirrored ref doubles the capsule; the row of four cubes is four cubes.
  const volume = (name: string) => built.metrics.parts.find((part) => part.name === name)!.volumeMm3;
  assert.ok(Math.abs(volume('pair') - 2 * volume('capsule')) < 1e-6 * volume('pair'));
  assert.ok(Math.abs(volume('row') - 4 * 20 ** 3) < 1e-3);
  const report = await validateBytes(built.files.glb!);
  assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
  await assertWelded(built.files.glb!);
});

test('repeated builds free the kernel memory they used', async () => {
  const heavy = onePart({ type: 'radialArray', count: 40, child: { type: 'sphere', radius: 0.05, transform: { translate: [0.5, 0, 0] } } });
  const wasmBytes = () => process.memoryUsage().external - process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 2; i++) await buildSceneInThread(heavy, { detail: 'medium', formats: ['stl'] });
  const before = wasmBytes();
  for (let i = 0; i < 6; i++) await buildSceneInThread(heavy, { detail: 'medium', formats: ['stl'] });
  const grown = wasmBytes() - before;
  // Each leaked build of 40 spheres would hold several MB of kernel memory (WASM memory never shrinks).
  assert.ok(grown < 8e6, `kernel memory grew by ${(grown / 1e6).toFixed(1)} MB over 6 builds`);
});

test('text is raised lettering from a system font: reads along +X, stands on y = 0, keeps glyph holes', async () => {
  const built = await buildSceneInThread(onePart({ type: 'text', text: 'O神', size: 0.1, depth: 0.01 }), { detail: 'medium', formats: ['glb'] });
  const { min, max, size } = built.metrics.boundingBoxMm;
  assert.equal(min[1], 0);
  assert.ok(size[0] > size[1], `wider than tall: ${size.join(' × ')}`);
  assert.ok(Math.abs(min[0] + max[0]) < 1e-3 && Math.abs(min[2] + max[2]) < 1e-3, 'centred on x and z');
  assert.equal(size[2], 10);
  assert.equal(built.metrics.watertight, true);
  assert.equal((await validateBytes(built.files.glb!)).issues.numErrors, 0);
  // The O's counter is a hole: the letter fills well under half of its box.
  const o = await buildSceneInThread(onePart({ type: 'text', text: 'O', size: 0.1, depth: 0.01 }), { detail: 'medium', formats: ['stl'] });
  const box = o.metrics.boundingBoxMm.size;
  assert.ok(o.metrics.volumeMm3 < 0.5 * box[0] * box[1] * box[2], `${o.metrics.volumeMm3} mm³ in a ${box.join(' × ')} box`);
  await assert.rejects(buildSceneInThread(onePart({ type: 'text', text: '\u{10FFFD}', size: 0.1, depth: 0.01 }), { detail: 'low' }), (error: Error & { code?: string }) => error.code === 'SCENE_INVALID' && /no installed font has/.test(error.message));
});
