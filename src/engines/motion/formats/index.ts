/** Motion file formats: BVH and GLB out, retargeting onto a user's rig, HumanML3D joint arrays in. */
export { writeBvh } from './bvh.ts';
export { writeMotionGlb, type MotionGlbOptions } from './motion-glb.ts';
export { retargetToRig } from './retarget.ts';
export { importHumanMl3d, HUMANML3D_FPS, type HumanMl3dOptions } from './humanml3d.ts';
