import { Matrix4, Quaternion, Vector3 } from 'three';

/**
 * Analytic two-bone IK (hip–knee–ankle, shoulder–elbow–wrist): the middle joint is placed by
 * the law of cosines in the plane that holds the root, the target and the pole direction
 * (where the knee or elbow should point), and each bone's world rotation maps its rest
 * direction onto its new direction with its rest "forward" kept in that plane — so the middle
 * joint turns as a hinge, never twisting.
 */
export interface TwoBoneChain {
  /** Rest offsets of the middle and end joints from their parents (bone vectors at rest). */
  upperRest: Vector3;
  lowerRest: Vector3;
  /** A rest-pose direction, perpendicular-ish to the bones, that should end up in the bend plane on the pole side. */
  restPole: Vector3;
}

export interface TwoBoneSolution {
  upperWorld: Quaternion;
  lowerWorld: Quaternion;
  middle: Vector3;
  /** How far the target was beyond reach, metres (0 when reached). */
  shortfall: number;
}

const basis = new Matrix4();
const restBasis = new Matrix4();
// Scratch vectors: this runs twice per leg per frame, so it allocates nothing.
const r1 = new Vector3();
const r2 = new Vector3();
const r3 = new Vector3();
const e1 = new Vector3();
const e2 = new Vector3();
const e3 = new Vector3();

function frameRotation(restDir: Vector3, restPole: Vector3, dir: Vector3, pole: Vector3, out: Quaternion): Quaternion {
  r1.copy(restDir).normalize();
  r2.copy(restPole).addScaledVector(r1, -restPole.dot(r1)).normalize();
  r3.crossVectors(r1, r2);
  e1.copy(dir).normalize();
  e2.copy(pole).addScaledVector(e1, -pole.dot(e1)).normalize();
  e3.crossVectors(e1, e2);
  basis.makeBasis(e1, e2, e3);
  restBasis.makeBasis(r1, r2, r3).transpose();
  return out.setFromRotationMatrix(basis.multiply(restBasis));
}

export function solveTwoBone(chain: TwoBoneChain, root: Vector3, target: Vector3, pole: Vector3): TwoBoneSolution {
  const a = chain.upperRest.length();
  const b = chain.lowerRest.length();
  const toTarget = target.clone().sub(root);
  const wanted = toTarget.length();
  const reach = (a + b) * (1 - 1e-6);
  const distance = Math.min(Math.max(wanted, Math.abs(a - b) + 1e-4), reach);
  const u = wanted > 1e-9 ? toTarget.divideScalar(wanted) : new Vector3(0, -1, 0);
  let side = pole.clone().addScaledVector(u, -pole.dot(u));
  if (side.lengthSq() < 1e-6) side = new Vector3(0, 1, 0).addScaledVector(u, -u.y);
  side.normalize();
  const cosA = Math.min(1, Math.max(-1, (a * a + distance * distance - b * b) / (2 * a * distance)));
  const sinA = Math.sqrt(1 - cosA * cosA);
  const middle = root.clone().addScaledVector(u, a * cosA).addScaledVector(side, a * sinA);
  const end = root.clone().addScaledVector(u, distance);
  const upperWorld = frameRotation(chain.upperRest, chain.restPole, middle.clone().sub(root), side, new Quaternion());
  const lowerDir = end.clone().sub(middle);
  const lowerWorld = frameRotation(chain.lowerRest, chain.restPole, lowerDir, side, new Quaternion());
  return { upperWorld, lowerWorld, middle, shortfall: Math.max(0, wanted - reach) };
}
