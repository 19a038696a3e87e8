import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { isValidId } from '../../core/ids.ts';

/**
 * Where users' uploads live on disk, shared by the server that receives them and the steps
 * that read them. One place decides both the path and the "not found" answer.
 */

/** UPLOAD_NOT_FOUND for an id that was never uploaded, is another tenant's, deleted or expired. */
export function uploadNotFound(id: string, cause?: unknown): ShenbiError {
  return new ShenbiError('UPLOAD_NOT_FOUND', `No upload ${id}.`, {
    hint: 'Uploads expire; upload the file again (POST /api/uploads).',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** An upload's file: named by its id only, so a client's file name never reaches a path. */
export function uploadPath(dir: string, id: string): string {
  if (!isValidId(id, 'upl')) throw uploadNotFound(id);
  return join(dir, id);
}
