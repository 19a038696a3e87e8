import { loadSharp } from '../../../media/load-sharp.ts';
import { ShenbiError } from '../../../core/errors.ts';
import type { FaceLandmarks } from '../types.ts';
import { readPortrait } from './portrait.ts';

export interface PresenterLayoutOptions {
  readonly portraitPath: string;
  /** The face in the portrait's pixels. */
  readonly face: FaceLandmarks;
  /** The canvas PNG to write. */
  readonly outPath: string;
  /** Canvas size, even; 1080×1920 (9:16) by default. */
  readonly width?: number;
  readonly height?: number;
}

/** The portrait's top edge sits this share of the free height above centre, leaving the bottom for subtitles. */
const RAISE = 0.35;
const BLUR_SIGMA = 28;
const BACKGROUND_BRIGHTNESS = 0.45;

/**
 * The presenter layout: the portrait, whole and sharp, across the canvas's width, over a
 * blurred, darkened copy of itself that fills the canvas, set above centre so subtitles fit
 * below. Returns the canvas and the face's landmarks moved onto it, ready for
 * renderTalkingHead (which burns the subtitles in with subtitlesPath).
 */
export async function presenterLayout(options: PresenterLayoutOptions): Promise<{ path: string; face: FaceLandmarks; width: number; height: number }> {
  const sharp = await loadSharp();
  const width = options.width ?? 1080;
  const height = options.height ?? 1920;
  if (width % 2 !== 0 || height % 2 !== 0 || width < 64 || height < 64) throw new ShenbiError('INVALID_INPUT', `the presenter canvas must have an even size of at least 64×64, not ${width}×${height}`);
  const portrait = await readPortrait(options.portraitPath, { anySize: true });
  const scale = Math.min(width / portrait.width, height / portrait.height);
  const fgWidth = Math.round(portrait.width * scale);
  const fgHeight = Math.round(portrait.height * scale);
  const left = Math.floor((width - fgWidth) / 2);
  const top = Math.floor(((height - fgHeight) / 2) * (1 - RAISE));
  const raw = { raw: { width: portrait.width, height: portrait.height, channels: 3 as const } };
  const background = await sharp(portrait.rgb, raw).resize(width, height, { fit: 'cover' }).blur(BLUR_SIGMA).modulate({ brightness: BACKGROUND_BRIGHTNESS }).raw().toBuffer();
  const foreground = await sharp(portrait.rgb, raw).resize(fgWidth, fgHeight, { kernel: 'lanczos3' }).png().toBuffer();
  await sharp(background, { raw: { width, height, channels: 3 } }).composite([{ input: foreground, left, top }]).png().toFile(options.outPath);
  // Landmarks are continuous pixel coordinates: a resize scales them about the image's corner.
  const move = ([x, y]: readonly [number, number]) => [x * (fgWidth / portrait.width) + left, y * (fgHeight / portrait.height) + top] as const;
  const { face } = options;
  return {
    path: options.outPath,
    width,
    height,
    face: {
      ...face,
      box: { x: face.box.x * scale + left, y: face.box.y * scale + top, width: face.box.width * scale, height: face.box.height * scale },
      points: face.points.map(move),
    },
  };
}
