import type { LabelRecord } from '../../../core/artifact.ts';
import type { ComposeVideoOptions } from '../../../engines/video/compose-video.ts';
import type { VideoLabeler } from '../../../governance/explicit/video-labeler.ts';

/**
 * The AI label drawn in a composer's own encode: `composeOptions` goes to composeVideo,
 * `explicitLabel()` to writeArtifact, so governance records the label instead of re-encoding
 * the whole video to draw it.
 */
export function labelOverlay(labeler: VideoLabeler | undefined): { composeOptions: Pick<ComposeVideoOptions, 'overlay'>; explicitLabel: () => { explicitLabel?: LabelRecord } } {
  let record: LabelRecord | undefined;
  if (labeler === undefined) return { composeOptions: {}, explicitLabel: () => ({}) };
  return {
    composeOptions: {
      overlay: async (frame, dir) => {
        const drawn = await labeler.overlay(frame, dir);
        record = drawn?.record;
        return drawn?.filter;
      },
    },
    explicitLabel: () => (record === undefined ? {} : { explicitLabel: record }),
  };
}
