import { Quaternion, Vector3 } from 'three';

/**
 * The few rotation helpers the synthesiser needs, on three.js's Quaternion and Vector3 (the
 * same maths the studio's player and the GLB writer use). Angles are radians; +Y is up, the
 * character faces +Z and its left is +X (skeleton.ts), so a positive yaw turns it to its left.
 */

export const DEG = Math.PI / 180;
export const X_AXIS = new Vector3(1, 0, 0);
export const Y_AXIS = new Vector3(0, 1, 0);
export const Z_AXIS = new Vector3(0, 0, 1);

export const identity = (): Quaternion => new Quaternion();
export const axisAngle = (axis: Vector3, angle: number): Quaternion => new Quaternion().setFromAxisAngle(axis, angle);
export const rotX = (angle: number): Quaternion => axisAngle(X_AXIS, angle);
export const rotY = (angle: number): Quaternion => axisAngle(Y_AXIS, angle);
export const rotZ = (angle: number): Quaternion => axisAngle(Z_AXIS, angle);

/** Intrinsic yaw, then pitch, then roll (Y·X·Z): how a neck or a spine joint is posed by hand. */
export function yawPitchRoll(yaw: number, pitch: number, roll = 0): Quaternion {
  return rotY(yaw).multiply(rotX(pitch)).multiply(rotZ(roll));
}

/** The shortest rotation taking unit vector `from` onto unit vector `to`. */
export const swingTo = (from: Vector3, to: Vector3): Quaternion => new Quaternion().setFromUnitVectors(from, to);

/** Rotation angle of a unit quaternion, 0..π. */
export function rotationAngle(q: Quaternion): number {
  return 2 * Math.acos(Math.min(1, Math.abs(q.w)));
}

/** A horizontal unit vector for a heading (yaw 0 faces +Z). */
export function headingVector(yaw: number): Vector3 {
  return new Vector3(Math.sin(yaw), 0, Math.cos(yaw));
}

/** Rotates a horizontal offset (x left, z forward) by a heading. */
export function rotateXZ(x: number, z: number, yaw: number): [number, number] {
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  return [x * c + z * s, -x * s + z * c];
}

/** Difference b − a wrapped into (−π, π]. */
export function angleDelta(a: number, b: number): number {
  let d = (b - a) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  if (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}

export const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;
export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
