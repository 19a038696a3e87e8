import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { strToU8, zipSync } from 'fflate';
import * as THREE from 'three';
import { ShenbiError } from '../../src/core/errors.ts';
import { buildScene } from '../../src/engines/scene3d/build-scene.ts';
import { chooseBuiltIn } from '../../src/engines/scene3d/library/index.ts';
import { MODEL_MIME_TYPES } from '../../src/engines/scene3d/types.ts';
import { readUsdz, USDZ_ALIGNMENT, writeUsdz, zipLayout } from '../../src/media/usdz/usdz-package.ts';
import { loadModel } from '../../src/web/app/components/model-scene.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'shenbi-usdz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Python's zipfile (CRC-checked) as an independent reader: every member's data offset read
 * from its own local header, its compression method, and whether the CRCs hold. (No USD
 * validator — usdchecker comes with usd-core from pip — is installable here.)
 */
async function pythonZipLayout(bytes: Uint8Array): Promise<{ bad: string | null; members: Array<{ name: string; method: number; offset: number }> }> {
  const path = join(dir, `read-${Math.random().toString(36).slice(2)}.usdz`);
  writeFileSync(path, bytes);
  const script = [
    'import json, struct, sys, zipfile',
    'data = open(sys.argv[1], "rb").read()',
    'z = zipfile.ZipFile(sys.argv[1])',
    'members = []',
    'for i in z.infolist():',
    '    n, e = struct.unpack("<HH", data[i.header_offset + 26:i.header_offset + 30])',
    '    members.append({"name": i.filename, "method": i.compress_type, "offset": i.header_offset + 30 + n + e})',
    'print(json.dumps({"bad": z.testzip(), "members": members}))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script, path]);
  return JSON.parse(stdout) as { bad: string | null; members: Array<{ name: string; method: number; offset: number }> };
}

const text = (data: Uint8Array): string => new TextDecoder().decode(data);

test('the lantern as USDZ: a .usda default layer in metres and Y up, a mesh per part, stored and 64-byte aligned, same bytes twice', async () => {
  const chosen = chooseBuiltIn('a red lantern', 7);
  assert.ok(chosen, 'the library has a lantern');
  const built = await buildScene(chosen.program, { detail: 'low', formats: ['usdz', 'glb'] });
  const usdz = built.files.usdz;
  assert.ok(usdz, 'a USDZ was written');
  assert.equal(MODEL_MIME_TYPES.usdz, 'model/vnd.usdz+zip');

  const entries = readUsdz(usdz);
  const layer = text(entries[0]!.data);
  assert.match(entries[0]!.name, /\.usda$/, 'the first file is the default layer');
  assert.match(layer, /^#usda 1\.0\n/);
  assert.match(layer, /^\s*metersPerUnit = 1$/m);
  assert.match(layer, /^\s*upAxis = "Y"$/m);

  // One referencing prim per part, named after it; each referenced geometry file holds a Mesh.
  const parts = built.metrics.parts;
  assert.ok(parts.length >= 3, 'the lantern has several parts');
  const references = [...layer.matchAll(/prepend references = @\.\/(geometries\/[^@]+)@/g)].map((m) => m[1]!);
  assert.equal(references.length, parts.length, 'a mesh per part');
  for (const part of parts) assert.match(layer, new RegExp(`def Xform "${part.name.replace(/[^A-Za-z0-9_]/g, '')}"`), `a prim for ${part.name}`);
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  for (const file of references) assert.match(text(byName.get(file) ?? new Uint8Array()), /def Mesh "Geometry"/, `${file} holds a mesh`);
  assert.doesNotMatch(entries.map((e) => e.name).join(' '), /Geometry_(?:[0-9]{3,})/, 'geometry files are numbered from 1, not by three.js counters');

  // The layout, read by this module and independently by Python's zipfile.
  for (const entry of zipLayout(usdz)) {
    assert.equal(entry.method, 0, `${entry.name} stored`);
    assert.equal(entry.dataOffset % USDZ_ALIGNMENT, 0, `${entry.name} data at a 64-byte boundary`);
  }
  const python = await pythonZipLayout(usdz);
  assert.equal(python.bad, null, 'every CRC holds');
  assert.deepEqual(python.members.map((m) => m.name), entries.map((e) => e.name), 'same files, same order');
  for (const member of python.members) {
    assert.equal(member.method, 0, `${member.name} stored (zipfile)`);
    assert.equal(member.offset % 64, 0, `${member.name} aligned (zipfile): ${member.offset}`);
  }

  // three.js's own USD reader (USDLoader: a parser apart from the exporter; the studio viewer uses it) finds every part, at the GLB's size.
  const meshes = (root: THREE.Object3D): THREE.Mesh[] => {
    const found: THREE.Mesh[] = [];
    root.traverse((o) => (o as THREE.Mesh).isMesh && found.push(o as THREE.Mesh));
    return found;
  };
  const fromUsdz = await loadModel(usdz.slice().buffer, MODEL_MIME_TYPES.usdz, 'lantern.usdz');
  const fromGlb = await loadModel(built.files.glb!.slice().buffer, MODEL_MIME_TYPES.glb, 'lantern.glb');
  assert.equal(meshes(fromUsdz.root).length, parts.length);
  const usdBox = new THREE.Box3().setFromObject(fromUsdz.root);
  const glbBox = new THREE.Box3().setFromObject(fromGlb.root);
  for (const axis of ['x', 'y', 'z'] as const) {
    assert.ok(Math.abs(usdBox.min[axis] - glbBox.min[axis]) < 1e-5 && Math.abs(usdBox.max[axis] - glbBox.max[axis]) < 1e-5, `${axis}: USDZ ${JSON.stringify(usdBox)} vs GLB ${JSON.stringify(glbBox)}`);
  }
  const triangles = meshes(fromUsdz.root).reduce((sum, m) => sum + (m.geometry.index?.count ?? m.geometry.getAttribute('position').count) / 3, 0);
  assert.equal(triangles, built.metrics.triangles, 'every triangle');

  // Same program, same bytes: in another worker call, after three.js's counters moved on.
  const again = await buildScene(chosen.program, { detail: 'low', formats: ['usdz'] });
  assert.deepEqual(Buffer.from(again.files.usdz!), Buffer.from(usdz));
});

test('the USDZ package writer: the default layer first, every entry aligned whatever its name length, fixed times', () => {
  const entries = [
    { name: 'scene.usda', data: strToU8('#usda 1.0\n') },
    ...Array.from({ length: 70 }, (_, i) => ({ name: `textures/${'x'.repeat(i)}.png`, data: new Uint8Array(i * 7 + 1).fill(i) })),
    { name: 'sounds/鼓.wav', data: new Uint8Array(3) },
  ];
  const bytes = writeUsdz(entries);
  const layout = zipLayout(bytes);
  assert.deepEqual(layout.map((e) => e.name), entries.map((e) => e.name));
  for (const entry of layout) {
    assert.equal(entry.method, 0);
    assert.equal(entry.dataOffset % 64, 0, `${entry.name} at ${entry.dataOffset}`);
  }
  assert.deepEqual(readUsdz(bytes).map((e) => Buffer.from(e.data)), entries.map((e) => Buffer.from(e.data)));
  assert.deepEqual(Buffer.from(writeUsdz(entries)), Buffer.from(bytes), 'deterministic');
  assert.throws(() => writeUsdz([{ name: 'a.png', data: new Uint8Array(1) }]), /default layer/);
});

test('readUsdz refuses what is not a USDZ package with MEDIA_INVALID', () => {
  const notLayerFirst = zipSync({ 'a.png': new Uint8Array(4), 'b.usda': strToU8('#usda 1.0\n') });
  const good = writeUsdz([{ name: 'a.usda', data: strToU8('#usda 1.0\n') }]);
  for (const bytes of [new Uint8Array(0), strToU8('PK\x03\x04 not really a zip'), notLayerFirst, good.subarray(0, good.length - 10)]) {
    assert.throws(
      () => readUsdz(bytes),
      (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID',
    );
  }
});
