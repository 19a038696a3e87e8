import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateBytes } from 'gltf-validator';
import { buildSceneInThread } from '../../src/engines/scene3d/build-scene.ts';
import { BUILT_IN_OBJECTS } from '../../src/engines/scene3d/library/index.ts';
import { assertWelded, stlVolume } from './scene3d-helpers.ts';

/**
 * Every object of the built-in library builds with the real kernel, passes the Khronos glTF
 * validator with 0 errors and is watertight part by part (the kernel's status plus our own
 * closed-2-manifold edge check), at its default parameters (medium detail, as shipped) and
 * at two other seeds (low detail, to keep the suite quick).
 */

for (const object of BUILT_IN_OBJECTS) {
  test(`built-in ${object.id} builds, validates and is watertight`, async () => {
    for (const [seed, detail] of [[0, 'medium'], [2, 'low'], [3, 'low']] as const) {
      const built = await buildSceneInThread(object.build({ seed }), { detail, formats: ['glb', 'stl'] });
      const report = await validateBytes(built.files.glb!);
      assert.equal(report.issues.numErrors, 0, `${object.id} seed ${seed}: ${JSON.stringify(report.issues.messages.filter((m: { severity: number }) => m.severity === 0).slice(0, 3))}`);
      assert.equal(built.metrics.watertight, true, `${object.id} seed ${seed}: ${built.metrics.parts.filter((p) => !p.watertight).map((p) => p.name).join(', ')} not watertight`);
      assert.ok(built.metrics.volumeMm3 > 0);
      await assertWelded(built.files.glb!);
      const { volume } = stlVolume(built.files.stl!);
      assert.ok(Math.abs(volume - built.metrics.volumeMm3) / built.metrics.volumeMm3 < 1e-4, `${object.id} seed ${seed}: STL ${volume} vs kernel ${built.metrics.volumeMm3} mm³`);
    }
  });
}
