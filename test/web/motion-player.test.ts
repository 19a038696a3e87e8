import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeIO } from '@gltf-transform/core';
import type { MotionClip } from '../../src/engines/motion/clip.ts';
import { motionDocument, writeMotionGlb } from '../../src/engines/motion/formats/motion-glb.ts';
import { JOINT_COUNT, REST_OFFSETS } from '../../src/engines/motion/skeleton.ts';
import { frameAt, loadMotion } from '../../src/web/app/components/motion-scene.ts';
import { readTimeline } from '../../src/web/app/components/motion-timeline.ts';

/**
 * The studio player's logic outside the browser: three.js's own GLTFLoader reads the motion GLB
 * the formats engine writes; the player measures foot contacts from the toes (or takes the
 * file's), and frames the whole path. The timeline reads both plan shapes.
 */

const FPS = 30;

/** Two seconds in the rest pose: standing still for one, then sliding forward at 1 m/s (feet dragged, not stepping). */
function standThenSlide(): MotionClip {
  const frameCount = 2 * FPS;
  const rootPositions = new Float32Array(frameCount * 3);
  const rotations = new Float32Array(frameCount * JOINT_COUNT * 4);
  for (let f = 0; f < frameCount; f += 1) {
    const moving = Math.max(0, f - FPS) / FPS;
    rootPositions.set([0, REST_OFFSETS[0]![1], moving], f * 3);
    for (let j = 0; j < JOINT_COUNT; j += 1) rotations[(f * JOINT_COUNT + j) * 4 + 3] = 1;
  }
  return { fps: FPS, frameCount, rootPositions, rotations, contacts: new Uint8Array(frameCount * 2) };
}

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

test('the player reads the engine GLB: fps, duration, contacts measured from low, still toes, and bounds over the whole path', async () => {
  const motion = await loadMotion(toArrayBuffer(await writeMotionGlb(standThenSlide())));
  assert.equal(motion.fps, FPS);
  assert.equal(motion.frameCount, 2 * FPS);
  assert.ok(Math.abs(motion.duration - (2 * FPS - 1) / FPS) < 1e-6, String(motion.duration));
  assert.ok(motion.meshes.length >= 1, 'the mannequin');
  assert.deepEqual(motion.toes?.map((toe) => toe.name), ['LeftToeBase', 'RightToeBase']);
  assert.equal(motion.contactSource, 'measured');
  const contacts = motion.contacts!;
  // Standing: both feet planted. Sliding at 1 m/s: low, but far too fast to be planted.
  for (let f = 0; f < FPS; f += 1) assert.deepEqual([contacts[f * 2], contacts[f * 2 + 1]], [1, 1], `frame ${f}`);
  for (let f = FPS + 2; f < 2 * FPS; f += 1) assert.deepEqual([contacts[f * 2], contacts[f * 2 + 1]], [0, 0], `frame ${f}`);
  // The camera frames the path: every joint from the start (ankles at z = -0.02) to the toes after ~1 m of travel, head to ground.
  assert.ok(motion.bounds.min.z < 0 && motion.bounds.max.z > 1.0, JSON.stringify(motion.bounds));
  assert.ok(motion.bounds.min.y < 0.05 && motion.bounds.max.y > 1.5, JSON.stringify(motion.bounds));
  // Posed at the start after the survey.
  assert.equal(motion.action.time, 0);
  assert.equal(frameAt(motion.duration, motion.fps, motion.frameCount), motion.frameCount - 1);
});

test("contacts the file carries (the animation's extras.contacts) win over the measured ones; malformed ones are ignored", async () => {
  const clip = standThenSlide();
  const carried = Array.from({ length: clip.frameCount }, (_, f) => [f % 2, 1 - (f % 2)]);
  const withContacts = motionDocument(clip);
  withContacts.getRoot().listAnimations()[0]!.setExtras({ contacts: carried });
  const motion = await loadMotion(toArrayBuffer(await new NodeIO().writeBinary(withContacts)));
  assert.equal(motion.contactSource, 'file');
  assert.deepEqual([...motion.contacts!], carried.flat());

  const malformed = motionDocument(clip);
  malformed.getRoot().listAnimations()[0]!.setExtras({ contacts: [[1, 1]] });
  const fallback = await loadMotion(toArrayBuffer(await new NodeIO().writeBinary(malformed)));
  assert.equal(fallback.contactSource, 'measured');
});

test('a file without an animation is refused with a message, not played as a still', async () => {
  const still = motionDocument(standThenSlide());
  for (const animation of still.getRoot().listAnimations()) animation.dispose();
  await assert.rejects(loadMotion(toArrayBuffer(await new NodeIO().writeBinary(still))), /no animation/);
});

test('the timeline: a resolved timeline (with inserted idles) takes its words from the plan; a bare plan is timed as action-plan.ts says', () => {
  // As the synthesiser resolves "walk forward 3 m, turn left, wave": an idle under the layered wave.
  const resolved = readTimeline({
    plan: { actions: [{ action: 'walk', text: 'walk forward 3 m' }, { action: 'turn', text: 'turn left' }, { action: 'wave', text: 'wave' }] },
    timeline: [
      { action: 'walk', start: 0, duration: 3.4, layer: 'full' },
      { action: 'turn', start: 3.4, duration: 2.2, layer: 'full' },
      { action: 'idle', start: 5.6, duration: 2.3, layer: 'full' },
      { action: 'wave', start: 5.6, duration: 2.3, layer: 'upper' },
    ],
  });
  assert.equal(resolved.timed, true);
  assert.deepEqual(resolved.bars, [
    { action: 'walk', start: 0, duration: 3.4, layer: 'full', text: 'walk forward 3 m' },
    { action: 'turn', start: 3.4, duration: 2.2, layer: 'full', text: 'turn left' },
    { action: 'idle', start: 5.6, duration: 2.3, layer: 'full', text: null },
    { action: 'wave', start: 5.6, duration: 2.3, layer: 'upper', text: 'wave' },
  ]);
  // A plan with durations: full-body actions follow each other; an upper-body one starts with the previous action.
  const planned = readTimeline({ version: 1, actions: [{ action: 'walk', duration: 2 }, { action: 'wave', duration: 1.5 }, { action: 'jump', duration: 1 }, { action: 'nod', start: 0.5, duration: 1 }] });
  assert.equal(planned.timed, true);
  assert.deepEqual(
    planned.bars.map(({ action, start, duration, layer }) => [action, start, duration, layer]),
    [
      ['walk', 0, 2, 'full'],
      ['wave', 0, 1.5, 'upper'],
      ['jump', 2, 1, 'full'],
      ['nod', 0.5, 1, 'upper'],
    ],
  );
  // A plan without times (as the parser writes it): the order is known, the times are not.
  const untimed = readTimeline({ version: 1, actions: [{ action: 'walk', layer: 'full', params: { distance: 2.1 } }, { action: 'wave', layer: 'full', params: {} }] });
  assert.equal(untimed.timed, false);
  assert.deepEqual(untimed.bars.map((bar) => bar.action), ['walk', 'wave']);
  assert.deepEqual(readTimeline('not a plan'), { bars: [], timed: false });
  assert.deepEqual(readTimeline({ actions: [{ action: 42 }, null] }), { bars: [], timed: false });
});
