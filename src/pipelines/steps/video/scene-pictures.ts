import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSharp } from '../../../media/load-sharp.ts';
import type { Artifact } from '../../../core/artifact.ts';
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
  await writeFile(path, artifact.kind === 'image' ? await withoutOwnLabel(bytes, artifact) : bytes);
  return artifact.kind === 'video' ? { video: path } : { image: path };
}

/**
 * A stored picture carries its own explicit AI label in a corner (drawn when it was stored).
 * Inside a composed video, which has its own label, that corner would pan half out of frame
 * with the Ken Burns motion: the band holding it is trimmed off (a few percent of the height).
 */
async function withoutOwnLabel(bytes: Buffer, artifact: Artifact): Promise<Buffer> {
  const sharp = await loadSharp();
  const label = artifact.labels.find((l) => l.type === 'aigc-explicit');
  const box = labelBox(label?.value);
  if (box === undefined) return bytes;
  const image = sharp(bytes);
  const { width, height } = await image.metadata();
  if (width === undefined || height === undefined) return bytes;
  const margin = Math.ceil(box.height * 0.25);
  const inLowerHalf = box.top + box.height / 2 > height / 2;
  const top = inLowerHalf ? 0 : Math.min(height - 1, box.top + box.height + margin);
  const keep = inLowerHalf ? Math.max(1, box.top - margin) : height - top;
  // A label as tall as half the picture is not a corner mark: leave such a picture alone.
  if (keep < height * 0.5) return bytes;
  return image.extract({ left: 0, top, width, height: keep }).toBuffer();
}

function labelBox(value: unknown): { top: number; height: number } | undefined {
  if (value === null || typeof value !== 'object' || !('box' in value)) return undefined;
  const box = (value as { box: unknown }).box;
  if (box === null || typeof box !== 'object') return undefined;
  const { top, height } = box as { top?: unknown; height?: unknown };
  return typeof top === 'number' && typeof height === 'number' && height > 0 ? { top, height } : undefined;
}
