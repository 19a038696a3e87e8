import { ShenbiError } from '../../../core/errors.ts';
import type { MotionClip } from '../clip.ts';
import { JOINT_COUNT } from '../skeleton.ts';

/** A clip's arrays agree with its frame count and hold finite numbers, or INVALID_INPUT. */
export function assertMotionClip(clip: MotionClip): void {
  const problems: string[] = [];
  if (!Number.isInteger(clip.frameCount) || clip.frameCount < 1) problems.push(`frameCount must be a positive integer (got ${clip.frameCount})`);
  if (!(clip.fps > 0 && Number.isFinite(clip.fps))) problems.push(`fps must be positive (got ${clip.fps})`);
  const n = clip.frameCount;
  if (clip.rootPositions.length !== n * 3) problems.push(`rootPositions holds ${clip.rootPositions.length} numbers, expected ${n * 3}`);
  if (clip.rotations.length !== n * JOINT_COUNT * 4) problems.push(`rotations holds ${clip.rotations.length} numbers, expected ${n * JOINT_COUNT * 4}`);
  if (clip.contacts.length !== n * 2) problems.push(`contacts holds ${clip.contacts.length} values, expected ${n * 2}`);
  if (problems.length === 0 && (!clip.rootPositions.every(Number.isFinite) || !clip.rotations.every(Number.isFinite))) problems.push('positions and rotations must be finite numbers');
  if (problems.length > 0) throw new ShenbiError('INVALID_INPUT', `Not a valid motion clip: ${problems.join('; ')}.`, { details: { problems } });
}
