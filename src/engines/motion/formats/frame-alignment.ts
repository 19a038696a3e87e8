import { Matrix4, Quaternion, Vector3 } from 'three';

/**
 * The rotation turning one frame, given by a main direction and a second direction across it,
 * into another: the main directions coincide exactly, the across directions as nearly as the
 * angle between them allows. Used where one direction leaves a twist open (the pelvis, by its
 * spine and hip line).
 */
export function frameAlignment(main: Vector3, across: Vector3, main2: Vector3, across2: Vector3): Quaternion {
  const basis = (m: Vector3, a: Vector3): Matrix4 => {
    const y = m.clone().normalize();
    const z = new Vector3().crossVectors(a, y).normalize();
    const x = new Vector3().crossVectors(y, z);
    return new Matrix4().makeBasis(x, y, z);
  };
  return new Quaternion().setFromRotationMatrix(basis(main2, across2).multiply(basis(main, across).transpose()));
}
