/**
 * The standard humanoid every motion is made on: the 22 joints of SMPL (the body model behind
 * HumanML3D, MDM and MoMask, so their joint arrays map one to one), named as Mixamo names them
 * (what Blender, Unity and Unreal retargeters recognise), with the VRM humanoid bone each maps
 * to (VTuber rigs).
 *
 * Conventions, stated once here:
 * - Units are metres; +Y is up; the character faces +Z at rest; its left is +X.
 * - The rest pose is a T-pose standing on y = 0 (the toe joints 2 cm above the ground, as a
 *   foot's sole is below its toe joint). `REST_OFFSETS[j]` is joint j's offset from its parent
 *   in the rest pose; the root's offset is its rest position.
 * - A pose is one local rotation per joint (unit quaternion [x, y, z, w], relative to the rest
 *   pose) plus the root's world position.
 */

export const JOINT_NAMES = [
  'Hips', // 0 pelvis
  'LeftUpLeg', // 1 left_hip
  'RightUpLeg', // 2 right_hip
  'Spine', // 3 spine1
  'LeftLeg', // 4 left_knee
  'RightLeg', // 5 right_knee
  'Spine1', // 6 spine2
  'LeftFoot', // 7 left_ankle
  'RightFoot', // 8 right_ankle
  'Spine2', // 9 spine3
  'LeftToeBase', // 10 left_foot
  'RightToeBase', // 11 right_foot
  'Neck', // 12 neck
  'LeftShoulder', // 13 left_collar
  'RightShoulder', // 14 right_collar
  'Head', // 15 head
  'LeftArm', // 16 left_shoulder
  'RightArm', // 17 right_shoulder
  'LeftForeArm', // 18 left_elbow
  'RightForeArm', // 19 right_elbow
  'LeftHand', // 20 left_wrist
  'RightHand', // 21 right_wrist
] as const;

export type JointName = (typeof JOINT_NAMES)[number];
export const JOINT_COUNT = JOINT_NAMES.length;

/** SMPL's own joint names, in the same order (HumanML3D arrays use this order). */
export const SMPL_JOINT_NAMES = [
  'pelvis', 'left_hip', 'right_hip', 'spine1', 'left_knee', 'right_knee', 'spine2', 'left_ankle', 'right_ankle', 'spine3', 'left_foot',
  'right_foot', 'neck', 'left_collar', 'right_collar', 'head', 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
] as const;

/** VRM 1.0 humanoid bone for each joint, in the same order. */
export const VRM_BONE_NAMES = [
  'hips', 'leftUpperLeg', 'rightUpperLeg', 'spine', 'leftLowerLeg', 'rightLowerLeg', 'chest', 'leftFoot', 'rightFoot', 'upperChest', 'leftToes',
  'rightToes', 'neck', 'leftShoulder', 'rightShoulder', 'head', 'leftUpperArm', 'rightUpperArm', 'leftLowerArm', 'rightLowerArm', 'leftHand', 'rightHand',
] as const;

/** Parent of each joint (-1: the root), SMPL's kinematic tree. Parents come before children. */
export const PARENTS: readonly number[] = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19];

/** Rest-pose offsets from the parent, metres (a 1.7 m adult in a T-pose). */
export const REST_OFFSETS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0.95, 0], // Hips: rest position
  [0.06, -0.09, 0], // LeftUpLeg
  [-0.06, -0.09, 0], // RightUpLeg
  [0, 0.1, -0.01], // Spine
  [0, -0.4, 0], // LeftLeg
  [0, -0.4, 0], // RightLeg
  [0, 0.13, 0], // Spine1
  [0, -0.39, -0.02], // LeftFoot (ankle 7 cm above the ground)
  [0, -0.39, -0.02], // RightFoot
  [0, 0.05, 0.01], // Spine2
  [0, -0.05, 0.13], // LeftToeBase (2 cm above the ground)
  [0, -0.05, 0.13], // RightToeBase
  [0, 0.21, 0], // Neck
  [0.08, 0.12, 0], // LeftShoulder (collar)
  [-0.08, 0.12, 0], // RightShoulder
  [0, 0.09, 0.03], // Head
  [0.1, 0.03, 0], // LeftArm
  [-0.1, 0.03, 0], // RightArm
  [0.26, 0, 0], // LeftForeArm
  [-0.26, 0, 0], // RightForeArm
  [0.25, 0, 0], // LeftHand
  [-0.25, 0, 0], // RightHand
];

/** Joints the plausibility metrics and foot contacts use. */
export const FOOT_JOINTS = { left: { ankle: 7, toe: 10 }, right: { ankle: 8, toe: 11 } } as const;
/** Height of the toe joint above the sole at rest: a toe joint this high is on the ground. */
export const TOE_HEIGHT_AT_REST = 0.02;
export const ANKLE_HEIGHT_AT_REST = 0.07;

export const JOINT_INDEX: Readonly<Record<JointName, number>> = Object.fromEntries(JOINT_NAMES.map((name, i) => [name, i])) as Record<JointName, number>;
