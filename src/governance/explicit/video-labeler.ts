import { explicitLabelOptionsSchema, VIDEO_INK_RATIO, VIDEO_LABEL_SECONDS, type ExplicitLabelOptionsInput } from './options.ts';
import { videoLabelFilter, type ExplicitResultRecord, type VideoFrameInfo } from './video.ts';

/** Draws the explicit video label inside a composer's own encode. */
export interface VideoLabeler {
  /**
   * The drawtext filter for frames of this size and the label record to hand to
   * `writeArtifact` as `explicitLabel`; undefined when video labels are switched off or
   * omitted (the governance hook then records and logs the omission).
   */
  overlay(frame: Omit<VideoFrameInfo, 'startTime'>, dir: string): Promise<ExplicitResultRecord | undefined>;
}

export function createVideoLabeler(input: ExplicitLabelOptionsInput = {}): VideoLabeler {
  const options = explicitLabelOptionsSchema.parse(input);
  return {
    async overlay(frame, dir) {
      if (options.omit !== undefined || !options.enabled.video) return undefined;
      return videoLabelFilter(
        { wording: options.wording.visual, corner: options.videoCorner, inkRatio: VIDEO_INK_RATIO, seconds: VIDEO_LABEL_SECONDS, persistent: options.videoPersistentMark },
        { ...frame, startTime: 0 },
        dir,
      );
    },
  };
}
