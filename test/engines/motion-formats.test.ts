import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateBytes } from 'gltf-validator';
import { Vector3 } from 'three';
import { readGlb } from '../../src/engines/motion/formats/glb-container.ts';
import { importHumanMl3d, retargetToRig, writeBvh, writeMotionGlb } from '../../src/engines/motion/formats/index.ts';
import { JOINT_COUNT, JOINT_INDEX, JOINT_NAMES } from '../../src/engines/motion/skeleton.ts';
import { jointPositions, synthesizeMotion } from '../../src/engines/motion/synth/index.ts';
import { animatedWorldPositions, bvhWorldPositions, forwardKinematics, gestureClip, loadGlb, maxDistance, npyBytes, stanceClip } from './motion-formats-helpers.ts';
import { buildRig, buildUnmappedRig, RIG_LEG_SCALE } from './motion-rig-fixture.ts';

/**
 * The motion formats, each read back by an independent reader: BVH by three.js's BVHLoader,
 * GLB by the Khronos validator and glTF-Transform, and compared with forward kinematics
 * written in the test.
 */

test('BVH re-imported by three.js BVHLoader matches forward kinematics of the clip within 1 mm', () => {
  const clip = gestureClip();
  const text = writeBvh(clip);
  assert.match(text, /^HIERARCHY\nROOT Hips\n/);
  assert.equal((text.match(/End Site/g) ?? []).length, 5, 'end sites at the head, both hands and both toes');
  const read = bvhWorldPositions(text);
  assert.equal(read.frameCount, clip.frameCount);
  assert.ok(Math.abs(read.frameTime - 1 / 30) < 1e-6);
  const expected = forwardKinematics(clip);
  const error = maxDistance(read.positions, expected);
  assert.ok(error < 0.001, `max joint error ${(error * 1000).toFixed(3)} mm`);
  assert.equal(writeBvh(clip), text, 'deterministic');
});

test('motion GLB: a skinned mannequin that passes the Khronos validator with 0 errors, animated as forward kinematics says', async () => {
  const clip = gestureClip();
  const glb = await writeMotionGlb(clip, { name: 'wave' });
  const report = await validateBytes(glb);
  assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
  assert.equal(report.issues.numWarnings, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
  assert.deepEqual(Buffer.from(await writeMotionGlb(clip, { name: 'wave' })), Buffer.from(glb), 'deterministic bytes');
  const gltf = await loadGlb(glb);
  assert.equal(gltf.animations.length, 1);
  assert.equal(gltf.animations[0]!.name, 'wave');
  let skinned = 0;
  gltf.scene.traverse((object) => {
    if ((object as { isSkinnedMesh?: boolean }).isSkinnedMesh) skinned++;
  });
  assert.equal(skinned, 1, 'one skinned mesh');
  const read = animatedWorldPositions(gltf.scene, gltf.animations[0]!, JOINT_NAMES);
  assert.equal(read.frameCount, clip.frameCount);
  const error = maxDistance(read.positions, forwardKinematics(clip));
  assert.ok(error < 0.001, `max joint error ${(error * 1000).toFixed(3)} mm`);
});

for (const rig of [{ naming: 'mixamo' }, { naming: 'vrm1' }, { naming: 'vrm0', facingBack: true }] as const) {
  test(`retarget onto a ${rig.naming} humanoid of other proportions${'facingBack' in rig ? ', facing -Z' : ''} keeps the planted foot planted`, async () => {
    const clip = stanceClip();
    const source = forwardKinematics(clip);
    const ankle = JOINT_INDEX.LeftFoot;
    const sourceAnkle = (f: number): Vector3 => new Vector3(...source.slice((f * JOINT_COUNT + ankle) * 3, (f * JOINT_COUNT + ankle) * 3 + 3));
    assert.ok(sourceAnkle(0).distanceTo(sourceAnkle(clip.frameCount - 1)) < 1e-5, 'the test clip plants its left foot');

    const out = await retargetToRig(clip, await buildRig(rig));
    const report = await validateBytes(out);
    assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
    if (rig.naming !== 'mixamo') assert.ok(rig.naming === 'vrm1' ? 'VRMC_vrm' in (readGlb(out).json.extensions as object) : 'VRM' in (readGlb(out).json.extensions as object), 'the VRM extension is kept');
    const gltf = await loadGlb(out);
    // three.js drops ":" from node names (PropertyBinding.sanitizeNodeName).
    const name = (joint: string, vrm: string): string => (rig.naming === 'mixamo' ? `mixamorig${joint}` : `J_Bip_${vrm}`);
    const names = [name('LeftFoot', 'leftFoot'), name('Hips', 'hips'), name('RightArm', 'rightUpperArm'), name('RightForeArm', 'rightLowerArm')];
    const read = animatedWorldPositions(gltf.scene, gltf.animations.find((a) => a.name === 'motion')!, names);
    const at = (f: number, k: number): Vector3 => new Vector3(...read.positions.slice((f * names.length + k) * 3, (f * names.length + k) * 3 + 3));
    let drift = 0;
    for (let f = 0; f < read.frameCount; f++) if (clip.contacts[f * 2] === 1) drift = Math.max(drift, at(f, 0).distanceTo(at(0, 0)));
    assert.ok(drift < 0.0005, `planted foot moved ${(drift * 1000).toFixed(2)} mm`);
    // The body did travel over the foot, by the source's travel times the leg ratio.
    const sourceTravel = new Vector3(...clip.rootPositions.slice(-3)).distanceTo(new Vector3(...clip.rootPositions.slice(0, 3)));
    const rigTravel = at(read.frameCount - 1, 1).distanceTo(at(0, 1));
    assert.ok(sourceTravel > 0.2 && Math.abs(rigTravel / sourceTravel - RIG_LEG_SCALE) < 0.01, `hips travel ${rigTravel} vs ${sourceTravel}`);
    // Rest poses differ (an A-pose): the upper arm still points where ours does.
    for (const f of [0, read.frameCount - 1]) {
      const rigArm = at(f, 3).sub(at(f, 2)).normalize();
      const i = (f * JOINT_COUNT + JOINT_INDEX.RightArm) * 3;
      const j = (f * JOINT_COUNT + JOINT_INDEX.RightForeArm) * 3;
      const ourArm = new Vector3(source[j]! - source[i]!, source[j + 1]! - source[i + 1]!, source[j + 2]! - source[i + 2]!).normalize();
      assert.ok(rigArm.dot(ourArm) > 0.9999, `frame ${f}: arm direction off by ${((Math.acos(Math.min(1, rigArm.dot(ourArm))) * 180) / Math.PI).toFixed(2)}°`);
    }
  });
}

test('retarget onto a rig with no humanoid map is INVALID_INPUT naming what was looked for', async () => {
  await assert.rejects(retargetToRig(stanceClip(), await buildUnmappedRig()), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'INVALID_INPUT');
    assert.match(error.message, /VRMC_vrm\.humanoid\.humanBones/);
    assert.match(error.message, /VRM\.humanoid\.humanBones/);
    assert.match(error.message, /Mixamo/);
    return true;
  });
  await assert.rejects(retargetToRig(stanceClip(), new TextEncoder().encode('not a glb at all')), { code: 'MEDIA_INVALID' });
});

test('HumanML3D joint positions (.npy float32/float64 and JSON) import as a clip whose forward kinematics gives them back', () => {
  for (const source of [gestureClip(), stanceClip()]) {
    const positions = forwardKinematics(source);
    const frames = source.frameCount;
    const inputs = [
      npyBytes(positions, [frames, 22, 3]),
      npyBytes(positions, [frames, 66], { descr: '<f8' }),
      new TextEncoder().encode(JSON.stringify(Array.from({ length: frames }, (_, f) => Array.from({ length: 22 }, (_, j) => Array.from(positions.slice((f * 22 + j) * 3, (f * 22 + j) * 3 + 3)))))),
    ];
    for (const bytes of inputs) {
      const clip = importHumanMl3d(bytes, { fps: 30 });
      assert.equal(clip.frameCount, frames);
      assert.equal(clip.fps, 30);
      const error = maxDistance(forwardKinematics(clip), positions);
      assert.ok(error < 0.001, `max joint error ${(error * 1000).toFixed(3)} mm`);
    }
  }
  // The planted foot of the stance clip is found in contact, the swinging one is not.
  const stance = importHumanMl3d(npyBytes(forwardKinematics(stanceClip()), [21, 22, 3]), { fps: 30 });
  assert.ok(stance.contacts.filter((_, i) => i % 2 === 0).every((c) => c === 1), 'left foot planted throughout');
  assert.ok(stance.contacts.filter((_, i) => i % 2 === 1).some((c) => c === 0), 'right foot swings');
  assert.equal(importHumanMl3d(npyBytes(forwardKinematics(stanceClip()), [21, 22, 3])).fps, 20, 'HumanML3D is 20 fps by default');
});

test('HumanML3D import: bones of another length are scaled so the feet stay on the ground', () => {
  const source = stanceClip();
  const positions = forwardKinematics(source).map((v) => v * 1.2); // a taller body, ground still at y = 0
  const clip = importHumanMl3d(npyBytes(positions, [source.frameCount, 22, 3]), { fps: 30 });
  const ours = forwardKinematics(source);
  const error = maxDistance(forwardKinematics(clip), ours);
  assert.ok(error < 0.001, `scaled back onto our skeleton within ${(error * 1000).toFixed(3)} mm`);
});

test('malformed .npy and JSON joint arrays are MEDIA_INVALID, never a crash', () => {
  const good = forwardKinematics(gestureClip(2));
  const truncated = npyBytes(good, [2, 22, 3]);
  const cases: Array<[string, Uint8Array]> = [
    ['bad magic', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 9, 0, 0, 0])],
    ['header truncated', npyBytes(good, [2, 22, 3]).subarray(0, 20)],
    ['data truncated', truncated.subarray(0, truncated.length - 4)],
    ['trailing bytes', Uint8Array.from([...truncated, 0, 0, 0, 0])],
    ['fortran order', npyBytes(good, [2, 22, 3], { fortran: true })],
    ['int32 dtype', npyBytes(good, [2, 22, 3], { descr: '<i4' })],
    ['big-endian', npyBytes(good, [2, 22, 3], { descr: '>f4' })],
    ['pickled object', npyBytes([], [0], { descr: '|O', itemSize: 8 })],
    ['wrong joint count', npyBytes(good.slice(0, 2 * 21 * 3), [2, 21, 3])],
    ['NaN', npyBytes(Float64Array.from(good, (v, i) => (i === 5 ? Number.NaN : v)), [2, 22, 3])],
    ['not JSON', new TextEncoder().encode('{"frames": ')],
    ['JSON of 21 joints', new TextEncoder().encode(JSON.stringify([Array.from({ length: 21 }, () => [0, 1, 0])]))],
    ['empty JSON', new TextEncoder().encode('[]')],
  ];
  for (const [name, bytes] of cases) assert.throws(() => importHumanMl3d(bytes, { fps: 20 }), { code: 'MEDIA_INVALID' }, name);
  assert.throws(() => importHumanMl3d(npyBytes(good, [2, 22, 3]), { fps: 0 }), { code: 'INVALID_INPUT' });
});

test('HumanML3D import: coincident joints give finite rotations; a body with no legs is MEDIA_INVALID', () => {
  const positions = forwardKinematics(gestureClip(2));
  positions.set(positions.slice(4 * 3, 4 * 3 + 3), 7 * 3); // left ankle on the left knee
  positions.set(positions.slice(0, 3), 1 * 3); // left hip on the pelvis
  const clip = importHumanMl3d(npyBytes(positions, [2, 22, 3]));
  assert.ok(clip.rotations.every(Number.isFinite) && clip.rootPositions.every(Number.isFinite));
  assert.throws(() => importHumanMl3d(npyBytes(new Float32Array(2 * 66).fill(0.5), [2, 22, 3])), { code: 'MEDIA_INVALID' });
});

/** The issue's plan, synthesised by the engine: the formats checked against the engine's own joint positions. */
const synthesized = (): ReturnType<typeof synthesizeMotion>['clip'] =>
  synthesizeMotion({ actions: [{ action: 'walk', params: { distance: 3 } }, { action: 'turn', params: { angle: 90 } }, { action: 'wave', params: { hand: 'right' } }] }, { seed: 7 }).clip;

test('a synthesised walk, turn and wave: BVH (three.js BVHLoader) and GLB match the engine\'s joint positions within 1 mm; HumanML3D round-trips', async () => {
  const clip = synthesized();
  const engine = Float64Array.from(jointPositions(clip));
  const bvh = bvhWorldPositions(writeBvh(clip));
  assert.equal(bvh.frameCount, clip.frameCount);
  const bvhError = maxDistance(bvh.positions, engine);
  assert.ok(bvhError < 0.001, `BVH: max joint error ${(bvhError * 1000).toFixed(3)} mm`);
  const glb = await writeMotionGlb(clip);
  const report = await validateBytes(glb);
  assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
  const gltf = await loadGlb(glb);
  const glbError = maxDistance(animatedWorldPositions(gltf.scene, gltf.animations[0]!, JOINT_NAMES).positions, engine);
  assert.ok(glbError < 0.001, `GLB: max joint error ${(glbError * 1000).toFixed(3)} mm`);
  const imported = importHumanMl3d(npyBytes(engine, [clip.frameCount, 22, 3]), { fps: clip.fps });
  const importError = maxDistance(Float64Array.from(jointPositions(imported)), engine);
  assert.ok(importError < 0.001, `HumanML3D: max joint error ${(importError * 1000).toFixed(3)} mm`);
});

test('a synthesised walk retargeted onto a Mixamo rig: each planted foot drifts no more than the source foot does (scaled), plus 2 mm', async () => {
  const clip = synthesized();
  const engine = jointPositions(clip);
  const gltf = await loadGlb(await retargetToRig(clip, await buildRig({ naming: 'mixamo' })));
  const names = ['mixamorigLeftFoot', 'mixamorigRightFoot'];
  const rig = animatedWorldPositions(gltf.scene, gltf.animations.find((a) => a.name === 'motion')!, names).positions;
  let spans = 0;
  for (const [side, ankle] of [[0, JOINT_INDEX.LeftFoot], [1, JOINT_INDEX.RightFoot]] as const) {
    for (let start = 0; start < clip.frameCount; start++) {
      if (clip.contacts[start * 2 + side] !== 1 || (start > 0 && clip.contacts[(start - 1) * 2 + side] === 1)) continue;
      let sourceDrift = 0;
      let rigDrift = 0;
      for (let f = start; f < clip.frameCount && clip.contacts[f * 2 + side] === 1; f++) {
        const s = (f * JOINT_COUNT + ankle) * 3;
        const s0 = (start * JOINT_COUNT + ankle) * 3;
        sourceDrift = Math.max(sourceDrift, Math.hypot(engine[s]! - engine[s0]!, engine[s + 1]! - engine[s0 + 1]!, engine[s + 2]! - engine[s0 + 2]!));
        const r = (f * 2 + side) * 3;
        const r0 = (start * 2 + side) * 3;
        rigDrift = Math.max(rigDrift, Math.hypot(rig[r]! - rig[r0]!, rig[r + 1]! - rig[r0 + 1]!, rig[r + 2]! - rig[r0 + 2]!));
      }
      spans++;
      assert.ok(rigDrift <= RIG_LEG_SCALE * sourceDrift + 0.002, `foot ${side} from frame ${start}: rig ${(rigDrift * 1000).toFixed(1)} mm vs source ${(sourceDrift * 1000).toFixed(1)} mm`);
    }
  }
  assert.ok(spans >= 4, `${spans} contact spans`);
});
