import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';

/** A scene's picture from the store: a clip (`video`) or a still (`image`), as a file for the composer. */
export type ScenePicture = { video: string } | { image: string };

const EXTENSIONS: Readonly<Record<string, string>> = { 'video/mp4': '.mp4', 'video/webm': '.webm', 'video/quicktime': '.mov', 'image/png': '.png', 'image/jpeg': '.jpg', 'image/webp': '.webp' };

/**
 * Writes artifact `id` into `workDir` for scene `index`. A video artifact becomes the scene's
 * clip (the composer loops or trims it to the narration); an image artifact, its still. Anything
 * else, or no such artifact, is MEDIA_INVALID: the scene cannot be drawn from it.
 */
export async function scenePictureFile(ctx: Pick<StepContext, 'readArtifact'>, id: string, workDir: string, index: number): Promise<ScenePicture> {
  let read;
  try {
    read = await ctx.readArtifact(id);
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `scene ${index + 1}: no artifact ${id} to show`, { cause: error, details: { scene: index + 1, id } });
  }
  const { artifact, bytes } = read;
  if (artifact.kind !== 'video' && artifact.kind !== 'image') {
    throw new ShenbiError('MEDIA_INVALID', `scene ${index + 1}: artifact ${id} is ${artifact.kind} (${artifact.mimeType}), not a video clip or an image`, {
      details: { scene: index + 1, id, kind: artifact.kind },
      hint: 'Give a video artifact (e.g. from video.cloud-clip) or an image artifact.',
    });
  }
  const path = join(workDir, `scene-${index}${EXTENSIONS[artifact.mimeType.split(';')[0]!.trim()] ?? ''}`);
  await writeFile(path, bytes);
  return artifact.kind === 'video' ? { video: path } : { image: path };
}
