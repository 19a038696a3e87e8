import { z } from 'zod';
import type { FaceBox, FaceLandmarks, IdleMotion, MouthTrack, RenderTimings } from '../types.ts';

/** The largest output: 1080p, landscape or portrait. */
export const MAX_LONG_SIDE = 1920;
export const MAX_SHORT_SIDE = 1080;
/** Four hours at 60 fps: a bound on the track, not a product limit. */
const MAX_FRAMES = 4 * 3600 * 60;

export interface RenderTalkingHeadOptions {
  /** An image file already at output size: even width and height, ≤ 1920×1080 or 1080×1920. */
  readonly portraitPath: string;
  /** The face to animate, in that image's pixels. */
  readonly face: FaceLandmarks;
  /** One mouth shape per frame; its fps is the video's, and the video lasts frames / fps. */
  readonly track: MouthTrack;
  /** Muxed as AAC, padded with silence or cut to the video's length. */
  readonly audioPath?: string;
  /** The MP4 to write (H.264 yuv420p + AAC, +faststart). */
  readonly outPath: string;
  readonly idle: IdleMotion;
  readonly seed: number;
  /** An ffmpeg filter applied in the same encode: the explicit AI label's drawtext. */
  readonly labelFilter?: string;
  /** An ASS file burned in. */
  readonly subtitlesPath?: string;
  readonly signal?: AbortSignal;
  /** 0..1, after each batch of frames and at the end. */
  readonly onProgress?: (fraction: number) => void;
}

export interface RenderResult {
  readonly frames: number;
  /** Seconds: frames / fps. */
  readonly duration: number;
  /** The only part of the picture that changes; the rest is the portrait. */
  readonly region: FaceBox;
  /** landmarkMs is 0 here (the landmarks come in); warpMs and encodeMs are CPU time of the worker threads and of ffmpeg, which run side by side, so they may add up to more than totalMs. */
  readonly timings: RenderTimings;
}

const finite = z.number().finite();
const point = z.tuple([finite, finite]);

export const renderTalkingHeadOptionsSchema = z.object({
  portraitPath: z.string().min(1),
  face: z.object({
    box: z.object({ x: finite, y: finite, width: finite.nonnegative(), height: finite.nonnegative() }),
    score: finite,
    points: z.array(point).length(468, 'the face needs the 468 face-mesh points'),
    pose: z.object({ yaw: finite, pitch: finite, roll: finite }),
  }),
  track: z.object({
    fps: z.number().finite().min(1).max(60),
    frames: z.array(z.object({ open: finite, width: finite, round: finite })).min(1, 'the mouth track has no frames').max(MAX_FRAMES),
  }),
  audioPath: z.string().min(1).optional(),
  outPath: z.string().min(1),
  idle: z.object({ blink: z.boolean(), head: z.boolean() }),
  seed: z.number().int(),
  labelFilter: z.string().min(1).optional(),
  subtitlesPath: z.string().min(1).optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'an AbortSignal').optional(),
  onProgress: z.custom<(fraction: number) => void>((value) => typeof value === 'function', 'a function').optional(),
});
