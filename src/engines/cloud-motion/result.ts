import { ShenbiError } from '../../core/errors.ts';
import { sameOrigin } from '../cloud-music/http.ts';
import type { MotionClip } from '../motion/clip.ts';
import { HUMANML3D_FPS, importHumanMl3d } from '../motion/formats/humanml3d.ts';
import { motionRequest } from './http.ts';
import { fileResultSchema, inlineJointsResultSchema } from './protocol.ts';
import type { CloudMotionContext, CloudMotionResult } from './types.ts';

/** The importer's refusal (MEDIA_INVALID, or INVALID_INPUT for an over-long motion), naming the provider. */
function imported(bytes: Uint8Array, fps: number, ctx: CloudMotionContext): MotionClip {
  try {
    return importHumanMl3d(bytes, { fps });
  } catch (error) {
    if (!(error instanceof ShenbiError)) throw error;
    throw new ShenbiError(error.code, `${ctx.spec}: the motion was refused: ${error.message}`, { details: error.details, cause: error });
  }
}

/**
 * A succeeded job's `result` as a clip on the standard skeleton: inline joints (checked with
 * zod: frames × 22 × 3 finite numbers), or a .npy/JSON file downloaded under the byte cap.
 * Both go through the HumanML3D importer, so they carry the same contacts and metrics as an
 * imported file; anything malformed is refused before the step stores a byte.
 */
export async function resultClip(result: unknown, requestId: string, ctx: CloudMotionContext): Promise<CloudMotionResult> {
  if (result !== null && typeof result === 'object' && 'joints' in result) {
    const inline = inlineJointsResultSchema.safeParse(result);
    if (!inline.success) {
      const issue = inline.error.issues[0];
      throw new ShenbiError('MEDIA_INVALID', `${ctx.spec}: job ${requestId} answered joints that are not frames × 22 × [x, y, z] numbers with a format and fps: ${issue?.message ?? 'bad shape'} at ${issue?.path.join('.') ?? ''}; nothing was stored`, { details: { request: requestId, format: 'humanml3d' } });
    }
    const bytes = new TextEncoder().encode(JSON.stringify(inline.data.joints));
    return { clip: imported(bytes, inline.data.fps, ctx), requestId, delivery: 'inline' };
  }
  const file = fileResultSchema.safeParse(result);
  if (!file.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: job ${requestId} succeeded without joints or a file URL`, { details: { request: requestId } });
  let url: URL;
  try {
    url = new URL(file.data.url, `${ctx.baseURL}/`);
  } catch {
    throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the motion URL is not a URL: ${file.data.url.slice(0, 200)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the motion URL must be http(s), not ${url.protocol}`);
  // The key goes only to the server itself; result files may live elsewhere.
  const headers = sameOrigin(url.href, ctx.baseURL) ? ctx.headers : {};
  const answer = await motionRequest(url.href, { method: 'GET', headers }, ctx, 'the motion file');
  return { clip: imported(answer.bytes, file.data.fps ?? HUMANML3D_FPS, ctx), requestId, delivery: 'file' };
}
