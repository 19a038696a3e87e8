import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { ACTIONS, type ActionPlanInput, MOTION_LIMITS } from '../../src/engines/motion/action-plan.ts';
import type { MotionClip } from '../../src/engines/motion/clip.ts';
import { motionMetrics } from '../../src/engines/motion/metrics.ts';
import { JOINT_COUNT, JOINT_INDEX } from '../../src/engines/motion/skeleton.ts';
import { PICK_AHEAD, PICK_HALF_WIDTH, PICK_HEIGHT } from '../../src/engines/motion/synth/actions/posture.ts';
import { jointPositions, synthesizeMotion } from '../../src/engines/motion/synth/index.ts';

const FPS = 30;
const J = JOINT_INDEX;

function joint(positions: Float32Array, frame: number, index: number): [number, number, number] {
  const o = (frame * JOINT_COUNT + index) * 3;
  return [positions[o]!, positions[o + 1]!, positions[o + 2]!];
}

/** Facing from the hip joints: perpendicular to the right-hip → left-hip line, as yaw in degrees (0 = +Z, positive = left). */
function hipYaw(positions: Float32Array, frame: number): number {
  const l = joint(positions, frame, J.LeftUpLeg);
  const r = joint(positions, frame, J.RightUpLeg);
  const ax = l[0] - r[0];
  const az = l[2] - r[2];
  return (Math.atan2(-az, ax) * 180) / Math.PI;
}

function synth(plan: ActionPlanInput, seed = 1) {
  const motion = synthesizeMotion(plan, { fps: FPS, seed });
  return { motion, positions: jointPositions(motion.clip) };
}

function rejects(plan: unknown, pattern: RegExp): void {
  assert.throws(
    () => synthesizeMotion(plan as ActionPlanInput, { seed: 1 }),
    (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT' && pattern.test(error.message),
  );
}

describe('synthesizeMotion: walk forward 3 m, turn left 90°, wave the right hand', () => {
  const plan: ActionPlanInput = {
    actions: [
      { action: 'walk', params: { distance: 3, direction: 'forward' } },
      { action: 'turn', params: { angle: 90 } },
      { action: 'wave', layer: 'full', params: { hand: 'right' } },
    ],
  };
  const { motion, positions } = synth(plan);
  const { clip, timeline } = motion;
  const last = clip.frameCount - 1;

  it('travels 3 m ± 5 % with the root', () => {
    const walkEnd = Math.round((timeline[0]!.start + timeline[0]!.duration) * FPS);
    const start = joint(positions, 0, J.Hips);
    const end = joint(positions, walkEnd, J.Hips);
    const travelled = Math.hypot(end[0] - start[0], end[2] - start[2]);
    assert.ok(Math.abs(travelled - 3) <= 0.15, `travelled ${travelled.toFixed(3)} m`);
    const overall = joint(positions, last, J.Hips);
    assert.ok(Math.abs(Math.hypot(overall[0] - start[0], overall[2] - start[2]) - 3) <= 0.15, 'turning in place does not wander');
  });

  it('turns 90° ± 5° to the left, measured from the hips', () => {
    const turned = hipYaw(positions, last) - hipYaw(positions, 0);
    assert.ok(Math.abs(turned - 90) <= 5, `turned ${turned.toFixed(2)}°`);
  });

  it('raises the right wrist above the right shoulder during the wave, and not the left', () => {
    const wave = timeline.find((t) => t.action === 'wave')!;
    let rightAbove = 0;
    let leftAbove = 0;
    for (let f = Math.round(wave.start * FPS); f <= Math.min(last, Math.round((wave.start + wave.duration) * FPS)); f++) {
      if (joint(positions, f, J.RightHand)[1] > joint(positions, f, J.RightArm)[1]) rightAbove++;
      if (joint(positions, f, J.LeftHand)[1] > joint(positions, f, J.LeftArm)[1]) leftAbove++;
    }
    assert.ok(rightAbove >= wave.duration * FPS * 0.5, `right wrist above the shoulder on ${rightAbove} frames`);
    assert.equal(leftAbove, 0);
    for (let f = 0; f < Math.round(wave.start * FPS); f++) assert.ok(joint(positions, f, J.RightHand)[1] < joint(positions, f, J.RightArm)[1], 'no wave before the wave');
  });

  it('is physically plausible (skate, float, penetration) by the synthesiser’s contacts and by height-detected contacts', () => {
    for (const metrics of [motionMetrics(positions, clip.frameCount, FPS, clip.contacts), motionMetrics(positions, clip.frameCount, FPS)]) {
      assert.ok(metrics.footSkateCmPerS <= 2, `skate ${metrics.footSkateCmPerS}`);
      assert.ok(metrics.penetrationCm <= 0.1, `penetration ${metrics.penetrationCm}`);
      assert.ok(metrics.floatCm <= 1, `float ${metrics.floatCm}`);
    }
  });

  it('layers an upper-body wave over the turn by default (TEACH-style), starting with it', () => {
    const layered = synthesizeMotion({ actions: [plan.actions[0]!, plan.actions[1]!, { action: 'wave', params: { hand: 'right' } }] }, { seed: 1 });
    const turn = layered.timeline.find((t) => t.action === 'turn')!;
    const wave = layered.timeline.find((t) => t.action === 'wave')!;
    assert.equal(wave.layer, 'upper');
    assert.equal(wave.start, turn.start);
    const p = jointPositions(layered.clip);
    const mid = Math.round((turn.start + 1) * FPS);
    assert.ok(joint(p, mid, J.RightHand)[1] > joint(p, mid, J.RightArm)[1], 'waving while turning');
    assert.ok(Math.abs(hipYaw(p, layered.clip.frameCount - 1) - 90) <= 5);
  });
});

describe('synthesizeMotion: jump and sit down', () => {
  it('jump: both feet leave the ground together, then land and stay down', () => {
    const { motion, positions } = synth({ actions: [{ action: 'jump', params: { height: 0.3 } }] });
    const clip = motion.clip;
    const footLift = (f: number) => Math.min(joint(positions, f, J.LeftToeBase)[1], joint(positions, f, J.RightToeBase)[1]) - 0.02;
    let airborne = 0;
    let highest = 0;
    for (let f = 0; f < clip.frameCount; f++) {
      if (footLift(f) > 0.05) airborne++;
      highest = Math.max(highest, footLift(f));
    }
    assert.ok(airborne >= 5, `both feet off the ground on ${airborne} frames`);
    assert.ok(highest > 0.2, `feet rose ${highest.toFixed(3)} m`);
    const last = clip.frameCount - 1;
    assert.ok(Math.abs(footLift(last)) < 0.002, 'landed');
    assert.equal(clip.contacts[last * 2], 1);
    assert.equal(clip.contacts[last * 2 + 1], 1);
  });

  it('sit down: the pelvis ends lowered by about the chair height (0.45 m default), resting on the seat', () => {
    const chair = synth({ actions: [{ action: 'sit_down' }] });
    const drop = joint(chair.positions, 0, J.Hips)[1] - joint(chair.positions, chair.motion.clip.frameCount - 1, J.Hips)[1];
    assert.ok(Math.abs(drop - 0.45) <= 0.05, `pelvis dropped ${drop.toFixed(3)} m`);
    for (const seat of [0.45, 0.6, 0.3]) {
      const { motion, positions } = synth({ actions: [{ action: 'sit_down', params: { height: seat } }] });
      const pelvis = joint(positions, motion.clip.frameCount - 1, J.Hips)[1];
      // The Hips joint sits about 8 cm above the seat surface.
      assert.ok(Math.abs(pelvis - (seat + 0.08)) <= 0.02, `seat ${seat}: pelvis at ${pelvis.toFixed(3)} m`);
      const m = motionMetrics(positions, motion.clip.frameCount, FPS, motion.clip.contacts);
      assert.ok(m.footSkateCmPerS <= 2 && m.penetrationCm <= 0.1 && m.floatCm <= 1, JSON.stringify(m));
    }
  });

  it('pick up: arm IK brings both wrists onto the object on the floor ahead of the feet', () => {
    const { motion, positions } = synth({ actions: [{ action: 'pick_up' }] });
    const bottom = Math.round(motion.clip.frameCount * 0.47);
    for (const [wrist, side] of [[J.LeftHand, 1], [J.RightHand, -1]] as const) {
      const [x, y, z] = joint(positions, bottom, wrist);
      const miss = Math.hypot(x - side * PICK_HALF_WIDTH, y - PICK_HEIGHT, z - PICK_AHEAD);
      assert.ok(miss < 0.03, `wrist ${wrist} is ${miss.toFixed(3)} m from the object`);
    }
    assert.ok(joint(positions, 0, J.LeftHand)[1] > 0.8, 'hands start at the sides');
  });

  it('a full-body action after sitting stands up first, with a warning', () => {
    const { motion, positions } = synth({ actions: [{ action: 'sit_down' }, { action: 'walk', params: { distance: 1 } }] });
    assert.deepEqual(motion.timeline.map((t) => t.action), ['sit_down', 'stand_up', 'walk']);
    assert.ok(motion.warnings.some((w) => w.includes('stand_up')));
    assert.ok(joint(positions, motion.clip.frameCount - 1, J.Hips)[1] > 0.9);
  });
});

describe('synthesizeMotion: plausibility of every action in the vocabulary', () => {
  for (const action of ACTIONS) {
    it(`${action}: foot skate ≤ 2 cm/s in contact, no penetration, float ≤ 1 cm`, () => {
      const { motion, positions } = synth({ actions: [{ action }] }, 3);
      const { clip } = motion;
      assert.equal(positions.length, clip.frameCount * JOINT_COUNT * 3);
      assert.ok(positions.every(Number.isFinite));
      for (const [label, m] of [
        ['synthesiser contacts', motionMetrics(positions, clip.frameCount, FPS, clip.contacts)],
        ['height contacts', motionMetrics(positions, clip.frameCount, FPS)],
      ] as const) {
        assert.ok(m.footSkateCmPerS <= 2, `${label}: skate ${m.footSkateCmPerS.toFixed(3)} cm/s`);
        assert.ok(m.penetrationCm <= 0.1, `${label}: penetration ${m.penetrationCm.toFixed(3)} cm`);
        if (label === 'synthesiser contacts') assert.ok(m.floatCm <= 1, `float ${m.floatCm.toFixed(3)} cm`);
      }
      // Some foot bears weight on most frames; a contact flag is never set on a foot off the ground.
      for (let f = 0; f < clip.frameCount; f++) {
        for (const [side, toe, ankle] of [[0, J.LeftToeBase, J.LeftFoot], [1, J.RightToeBase, J.RightFoot]] as const) {
          if (clip.contacts[f * 2 + side] !== 1) continue;
          const lift = Math.min(joint(positions, f, toe)[1] - 0.02, joint(positions, f, ankle)[1] - 0.07);
          assert.ok(lift < 0.01, `${action} frame ${f}: a planted foot is ${lift.toFixed(3)} m up`);
        }
      }
    });
  }

  it('a long multi-action plan stays plausible end to end', () => {
    const plan: ActionPlanInput = {
      actions: [
        { action: 'walk', params: { distance: 2 } }, { action: 'nod' }, { action: 'jog', params: { distance: 4 } }, { action: 'turn', params: { angle: -135 } },
        { action: 'run', params: { distance: 6, speed: 5 } }, { action: 'jump', params: { distance: 0.8 } }, { action: 'kneel' }, { action: 'stand_up' },
        { action: 'walk', params: { distance: 1.5, direction: 'backward' } }, { action: 'dance_step' }, { action: 'punch', params: { count: 3, hand: 'both' } },
        { action: 'walk', params: { distance: 2, direction: 'left' } }, { action: 'clap' }, { action: 'sit_down' }, { action: 'look_around' },
      ],
    };
    const { motion, positions } = synth(plan, 11);
    const m = motionMetrics(positions, motion.clip.frameCount, FPS, motion.clip.contacts);
    assert.ok(m.footSkateCmPerS <= 2 && m.penetrationCm <= 0.1 && m.floatCm <= 1, JSON.stringify(m));
  });
});

describe('motionMetrics', () => {
  /** A hand-made "walk" whose planted foot slides: the toe is on the ground and moves 30 cm/s. */
  function slidingWalk(): { positions: Float32Array; contacts: Uint8Array; frames: number } {
    const { motion } = synth({ actions: [{ action: 'idle', duration: 2 }] });
    const positions = jointPositions(motion.clip);
    const frames = motion.clip.frameCount;
    for (let f = 0; f < frames; f++) {
      for (let j = 0; j < JOINT_COUNT; j++) positions[(f * JOINT_COUNT + j) * 3 + 2]! += (0.3 * f) / FPS; // whole body glides forward
    }
    return { positions, contacts: motion.clip.contacts, frames };
  }

  it('flags a planted foot that slides (skate ≈ 30 cm/s), with or without contact labels', () => {
    const { positions, contacts, frames } = slidingWalk();
    for (const m of [motionMetrics(positions, frames, FPS, contacts), motionMetrics(positions, frames, FPS)]) {
      assert.ok(Math.abs(m.footSkateCmPerS - 30) < 0.5, `skate ${m.footSkateCmPerS}`);
    }
  });

  it('flags floating and penetration by how far the lowest foot is off the ground', () => {
    const base = synth({ actions: [{ action: 'walk', params: { distance: 1 } }] });
    const frames = base.motion.clip.frameCount;
    const shifted = (dy: number) => base.positions.map((v, i) => (i % 3 === 1 ? v + dy : v));
    const floating = motionMetrics(shifted(0.03), frames, FPS);
    assert.ok(Math.abs(floating.floatCm - 3) < 0.05, `float ${floating.floatCm}`);
    const sunk = motionMetrics(shifted(-0.02), frames, FPS, base.motion.clip.contacts);
    assert.ok(Math.abs(sunk.penetrationCm - 2) < 0.05, `penetration ${sunk.penetrationCm}`);
    const clean = motionMetrics(base.positions, frames, FPS, base.motion.clip.contacts);
    assert.ok(clean.floatCm === 0 && clean.penetrationCm < 0.01);
  });

  it('measures jerk as the third derivative: zero for constant velocity, exact for a cubic', () => {
    const frames = 20;
    const linear = new Float32Array(frames * JOINT_COUNT * 3);
    const cubic = new Float32Array(frames * JOINT_COUNT * 3);
    for (let f = 0; f < frames; f++) {
      for (let j = 0; j < JOINT_COUNT; j++) {
        linear[(f * JOINT_COUNT + j) * 3] = f / FPS;
        cubic[(f * JOINT_COUNT + j) * 3] = (f / FPS) ** 3; // d³/dt³ = 6
        linear[(f * JOINT_COUNT + j) * 3 + 1] = cubic[(f * JOINT_COUNT + j) * 3 + 1] = 1;
      }
    }
    assert.ok(motionMetrics(linear, frames, FPS).jerk < 1e-3);
    assert.ok(Math.abs(motionMetrics(cubic, frames, FPS).jerk - 6) < 0.05);
  });
});

describe('synthesizeMotion: determinism and refusals', () => {
  const plan: ActionPlanInput = { actions: [{ action: 'walk', params: { distance: 2 } }, { action: 'wave' }, { action: 'bow' }] };
  const bytes = (clip: MotionClip) => Buffer.concat([Buffer.from(clip.rootPositions.buffer), Buffer.from(clip.rotations.buffer), Buffer.from(clip.contacts.buffer)]);

  it('same seed → identical arrays; another seed → slightly different motion', () => {
    const a = synthesizeMotion(plan, { seed: 42 }).clip;
    const b = synthesizeMotion(plan, { seed: 42 }).clip;
    const c = synthesizeMotion(plan, { seed: 43 }).clip;
    assert.ok(bytes(a).equals(bytes(b)));
    assert.ok(!bytes(a).equals(bytes(c)));
    const pa = jointPositions(a);
    const pc = jointPositions(c);
    let largest = 0;
    for (let i = 0; i < Math.min(pa.length, pc.length); i++) largest = Math.max(largest, Math.abs(pa[i]! - pc[i]!));
    assert.ok(largest > 0.001 && largest < 0.3, `seeds differ by up to ${largest.toFixed(3)} m`);
  });

  it('refuses impossible plans with INVALID_INPUT and a clear message', () => {
    rejects({ actions: [{ action: 'walk', params: { distance: 10000 } }] }, /action plan/); // beyond MOTION_LIMITS.maxDistance
    rejects({ actions: [{ action: 'walk', params: { distance: 1000, }, duration: 1 }] }, /m\/s/);
    rejects({ actions: [{ action: 'walk', params: { speed: 6 } }] }, /faster than a person can walk/);
    rejects({ actions: [{ action: 'run', params: { distance: 100 }, duration: 5 }] }, /run at most/);
    rejects({ actions: [{ action: 'jump', params: { height: 1.8 } }] }, /higher than a person can jump/);
    rejects({ actions: [{ action: 'idle', duration: 0 }] }, /duration/);
    rejects({ actions: [{ action: 'turn', params: { angle: 0 } }] }, /turn by 0°/);
    rejects({ actions: [{ action: 'idle', duration: 200 }, { action: 'idle', duration: 200 }] }, new RegExp(`longest motion is ${MOTION_LIMITS.maxSeconds} s`));
    rejects({ actions: [] }, /action plan/);
    rejects({ actions: [{ action: 'moonwalk' }] }, /action plan/);
    rejects({ actions: [{ action: 'sit_down', params: { height: 1.5 } }] }, /seat/);
  });
});
