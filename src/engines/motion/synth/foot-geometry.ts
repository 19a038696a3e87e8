import { Vector3 } from 'three';
import { REST_OFFSETS, TOE_HEIGHT_AT_REST } from '../skeleton.ts';
import type { FootTarget } from './body-frame.ts';
import { rotX, rotY } from './math.ts';

const TOE_OFFSET = new Vector3(...REST_OFFSETS[10]!);

/** Where a foot's toe joint is, for its ankle target, heading and pitch. */
export function toeOf(foot: FootTarget): Vector3 {
  return TOE_OFFSET.clone().applyQuaternion(rotY(foot.yaw).multiply(rotX(foot.pitch))).add(new Vector3(foot.x, foot.y, foot.z));
}

/** The ankle that puts the toe at `toe` with the foot at this heading and pitch: a foot rolling on its planted toe. */
export function ankleFromToe(toe: Vector3, yaw: number, pitch: number): { x: number; y: number; z: number } {
  const offset = TOE_OFFSET.clone().applyQuaternion(rotY(yaw).multiply(rotX(pitch)));
  return { x: toe.x - offset.x, y: toe.y - offset.y, z: toe.z - offset.z };
}

/** A toe planted on the ground. */
export const GROUND_TOE_Y = TOE_HEIGHT_AT_REST;
