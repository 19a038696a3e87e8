import { loadSharp } from '../../../media/load-sharp.ts';
import { ShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { sharpErrorGist } from '../../../engines/image-ops/sharp-error.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';

/** References that stay valid as given; anything else is a local path, kept resolved. */
const KEPT_AS_GIVEN = /^(art_|upl_|https?:\/\/)/i;

export interface UserPicture {
  /** What the composer reads back with readMediaInput: the art_/upl_ id or URL as given, or the resolved file path. */
  readonly ref: string;
  readonly width: number;
  readonly height: number;
}

/**
 * Reads and checks the user's pictures before anything is generated: each must be an image
 * sharp can decode (a wrong id, a refused path or a text file fails the step up front). They
 * are the user's own material, so they are not stored again as artifacts (see readMediaInput).
 */
export async function readUserPictures(ctx: StepContext, refs: readonly string[], media: MediaPolicy): Promise<UserPicture[]> {
  const sharp = await loadSharp();
  const pictures: UserPicture[] = [];
  for (const [i, ref] of refs.entries()) {
    const read = await readMediaInput(ctx, ref, media, 'image');
    if (/^art_/.test(ref)) {
      // An artifact of ours (a picture made earlier): it must be an image, not, say, a clip.
      const artifact = (await ctx.readArtifact(ref)).artifact;
      if (artifact.kind !== 'image') {
        throw new ShenbiError('MEDIA_INVALID', `picture ${i + 1}: ${ref} is a ${artifact.kind} artifact (${artifact.mimeType}), not an image`, { details: { picture: i + 1, ref } });
      }
    }
    let meta;
    try {
      meta = await sharp(read.bytes, { limitInputPixels: 50_000_000 }).metadata();
    } catch (error) {
      throw new ShenbiError('MEDIA_INVALID', `picture ${i + 1} (${ref}) is not an image that can be read: ${sharpErrorGist(error)}`, { cause: error, details: { picture: i + 1, ref } });
    }
    if (!meta.width || !meta.height) throw new ShenbiError('MEDIA_INVALID', `picture ${i + 1} (${ref}) has no size`, { details: { picture: i + 1, ref } });
    pictures.push({ ref: KEPT_AS_GIVEN.test(ref) ? ref : read.name, width: meta.width, height: meta.height });
  }
  return pictures;
}
