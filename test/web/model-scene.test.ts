import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Document, NodeIO } from '@gltf-transform/core';
import * as THREE from 'three';
import { labelGltf } from '../../src/governance/explicit/model3d.ts';
import { explicitWording } from '../../src/web/app/api/artifacts.ts';
import { frameStartView, labelFromAsset, loadModel } from '../../src/web/app/components/model-scene.ts';

/** The studio viewer's model handling, in Node: three.js parses without a browser when there are no textures. */

async function twoPartGlb(): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const triangle = (name: string, z: number) => {
    const position = doc.createAccessor().setType('VEC3').setArray(new Float32Array([0, 0, z, 0.1, 0, z, 0, 0.3, z])).setBuffer(buffer);
    return doc.createNode(name).setMesh(doc.createMesh(name).addPrimitive(doc.createPrimitive().setAttribute('POSITION', position)));
  };
  doc.createScene('scene').addChild(triangle('body', 0)).addChild(triangle('handle', 0.1));
  return new NodeIO().writeBinary(doc);
}

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

test('a labeled GLB: the viewer reads the wording governance wrote and lists the named parts', async () => {
  const labeled = labelGltf(await twoPartGlb(), 'model/gltf-binary', '本内容由人工智能生成 (AI-generated)').bytes;
  const model = await loadModel(arrayBuffer(labeled), 'model/gltf-binary', 'thing.glb');
  assert.equal(model.label, '本内容由人工智能生成 (AI-generated)');
  assert.deepEqual(model.parts, ['body', 'handle']);
  const unlabeled = await loadModel(arrayBuffer(await twoPartGlb()), 'model/gltf-binary', 'thing.glb');
  assert.equal(unlabeled.label, null);
});

test('labelFromAsset and explicitWording ignore anything that is not label text', () => {
  assert.equal(labelFromAsset({ extras: { aigcExplicitLabel: { text: 'AI' } } }), 'AI');
  for (const asset of [null, 'x', {}, { extras: null }, { extras: { aigcExplicitLabel: 'AI' } }, { extras: { aigcExplicitLabel: { text: 3 } } }, { extras: { aigcExplicitLabel: { text: ' ' } } }]) assert.equal(labelFromAsset(asset), null, JSON.stringify(asset));
  assert.equal(explicitWording([{ type: 'tc260-metadata' }, { type: 'aigc-explicit', placement: 'sidecar', value: { wording: 'AI 生成' } }]), 'AI 生成');
  assert.equal(explicitWording([{ type: 'aigc-explicit', value: 'AI' }]), null);
});

test('an STL (millimetres, +Z up) opens upright (+Y up), framed from the 3/4 start view', async () => {
  // One binary STL triangle standing 30 mm tall along +Z.
  const stl = Buffer.alloc(84 + 50);
  stl.writeUInt32LE(1, 80);
  [0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 30].forEach((v, i) => stl.writeFloatLE(v, 84 + i * 4));
  const model = await loadModel(arrayBuffer(stl), 'model/stl', 'part.stl');
  const box = new THREE.Box3().setFromObject(model.root);
  assert.ok(Math.abs(box.max.y - 30) < 1e-4 && Math.abs(box.min.y) < 1e-4, `upright: ${JSON.stringify(box)}`);
  const camera = new THREE.PerspectiveCamera(35, 4 / 3, 0.01, 100);
  const { center, radius } = frameStartView(camera, model.root);
  // From the front-right and above, far enough to see the whole bounding sphere.
  assert.ok(camera.position.x > center.x && camera.position.y > center.y && camera.position.z > center.z, JSON.stringify(camera.position));
  assert.ok(camera.position.distanceTo(center) > radius / Math.sin(THREE.MathUtils.degToRad(17.5)));
  await assert.rejects(loadModel(new ArrayBuffer(8), 'application/zip', 'x.zip'), /not a 3D format/);
  assert.throws(() => frameStartView(camera, new THREE.Group()), /no geometry/);
});
