import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadObjects } from '../../store/blobs/upload-objects.ts';
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

/**
 * The upload's local file: the uploads dir's own, or — when uploads are shared through a
 * bucket (S3) and this machine has not got it yet — fetched from there first. UPLOAD_NOT_FOUND
 * if neither has it. Expiry and ownership are the caller's to check, as for the local file.
 */
export async function localUploadFile(dir: string, id: string, objects?: UploadObjects | null): Promise<string> {
  const path = uploadPath(dir, id);
  if (objects === undefined || objects === null) return path;
  const here = await stat(path).catch(() => undefined);
  if (here?.isFile()) return path;
  await mkdir(dir, { recursive: true });
  if (!(await objects.fetchTo(id, path))) throw uploadNotFound(id);
  return path;
}
