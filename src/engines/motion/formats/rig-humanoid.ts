/**
 * Which node of a user's rig is which joint of ours: the VRM humanoid bone map when the file
 * is a VRM (1.0: `extensions.VRMC_vrm.humanoid.humanBones`, 0.x: `extensions.VRM.humanoid.humanBones`),
 * else nodes named as Mixamo names them, with or without the `mixamorig:` prefix (Blender's
 * exports write it `mixamorig_`; Mixamo numbers it `mixamorig1:` for a second character).
 */
import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { JOINT_COUNT, JOINT_NAMES, VRM_BONE_NAMES } from '../skeleton.ts';

export type HumanoidSource = 'VRMC_vrm' | 'VRM' | 'mixamo-names';

export interface HumanoidMap {
  source: HumanoidSource;
  /** Node index per joint (skeleton.ts order); undefined where the rig has no such bone. */
  nodes: Array<number | undefined>;
}

/** Without these the legs, and so the foot contacts, cannot be carried over. */
export const REQUIRED_JOINTS = [0, 1, 2, 4, 5, 7, 8] as const;

const vrm1Schema = z.object({ humanoid: z.object({ humanBones: z.record(z.string(), z.object({ node: z.number().int().nonnegative() }).loose()) }).loose() }).loose();
const vrm0Schema = z.object({ humanoid: z.object({ humanBones: z.array(z.object({ bone: z.string(), node: z.number().int().nonnegative() }).loose()) }).loose() }).loose();

const MIXAMO_PREFIX = /^mixamorig\d*[:_]/i;

function fromVrmBones(bones: ReadonlyMap<string, number>): Array<number | undefined> {
  // VRM 0.x names the toes and upper chest the same way as 1.0 for the bones we use.
  return VRM_BONE_NAMES.map((bone) => bones.get(bone));
}

export function findHumanoid(json: Record<string, unknown>): HumanoidMap {
  const nodeCount = Array.isArray(json.nodes) ? json.nodes.length : 0;
  const extensions = (typeof json.extensions === 'object' && json.extensions !== null ? json.extensions : {}) as Record<string, unknown>;
  const candidates: HumanoidMap[] = [];
  const vrm1 = vrm1Schema.safeParse(extensions.VRMC_vrm);
  if (vrm1.success) candidates.push({ source: 'VRMC_vrm', nodes: fromVrmBones(new Map(Object.entries(vrm1.data.humanoid.humanBones).map(([bone, { node }]) => [bone, node]))) });
  const vrm0 = vrm0Schema.safeParse(extensions.VRM);
  if (vrm0.success) candidates.push({ source: 'VRM', nodes: fromVrmBones(new Map(vrm0.data.humanoid.humanBones.map(({ bone, node }) => [bone, node]))) });
  const names = new Map<string, number>();
  (Array.isArray(json.nodes) ? (json.nodes as Array<{ name?: unknown }>) : []).forEach((node, i) => {
    if (typeof node?.name === 'string') {
      const bare = node.name.replace(MIXAMO_PREFIX, '');
      if (!names.has(bare)) names.set(bare, i);
    }
  });
  candidates.push({ source: 'mixamo-names', nodes: JOINT_NAMES.map((name) => names.get(name)) });
  for (const candidate of candidates) {
    candidate.nodes = candidate.nodes.map((n) => (n !== undefined && n < nodeCount ? n : undefined));
    if (REQUIRED_JOINTS.every((j) => candidate.nodes[j] !== undefined)) return candidate;
  }
  const best = candidates[0]!;
  const missing = REQUIRED_JOINTS.filter((j) => best.nodes[j] === undefined);
  throw new ShenbiError(
    'INVALID_INPUT',
    'The rig has no humanoid bone map: looked for a VRM 1.0 map (extensions.VRMC_vrm.humanoid.humanBones), a VRM 0.x map (extensions.VRM.humanoid.humanBones) ' +
      `and nodes named as Mixamo names them (${JOINT_NAMES.slice(0, 3).join(', ')}, … with or without a "mixamorig:" prefix); ` +
      `missing: ${missing.map((j) => `${JOINT_NAMES[j]} (VRM ${VRM_BONE_NAMES[j]})`).join(', ')}.`,
    { details: { lookedFor: ['VRMC_vrm.humanoid.humanBones', 'VRM.humanoid.humanBones', 'Mixamo node names'], missing: missing.map((j) => JOINT_NAMES[j]), jointCount: JOINT_COUNT } },
  );
}
