import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSharp } from '../../../media/load-sharp.ts';
import { analyzePortrait } from '../../../engines/talking-head/face/index.ts';
import { renderTalkingHead } from '../../../engines/talking-head/render/index.ts';
import type { FaceLandmarks, TimedPhoneme } from '../../../engines/talking-head/types.ts';
import { mouthTrackOffThread, speechEnvelopeOffThread, visemesFromPhonemes } from '../../../engines/talking-head/visemes/index.ts';
import type { PcmAudio } from '../../../media/audio/pcm.ts';
import { probeImage } from '../../../engines/image-ops/probe.ts';
import { TALKING_HEAD_FPS } from './talking-head-input.ts';

export interface PresenterClipOptions {
  /** The presenter's portrait (any size; head and shoulders are cut from around the face). */
  portrait: Buffer;
  /** The narration's phonemes on the video's timeline. */
  phonemes: readonly TimedPhoneme[];
  /** The narration as it will sound (its envelope gates the mouth). */
  narration: PcmAudio;
  duration: number;
  /** The clip's side, pixels (even). */
  size: number;
  dir: string;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * A square talking-presenter clip for picture-in-picture (the AI news anchor): the portrait is
 * cut to head and shoulders around its face, scaled to `size`, and animated to the narration.
 * No sound and no label of its own: the composer adds both to the whole video in one encode.
 */
export async function renderPresenterClip(options: PresenterClipOptions): Promise<{ path: string; face: FaceLandmarks }> {
  const sharp = await loadSharp();
  await probeImage(options.portrait, 'the presenter portrait');
  const upright = await sharp(options.portrait, { limitInputPixels: false }).rotate().removeAlpha().png({ compressionLevel: 1 }).toBuffer();
  const { face, imageWidth, imageHeight } = await analyzePortrait(upright, options.signal === undefined ? {} : { signal: options.signal });
  // Head and shoulders: a square 2.4 face-heights wide, the face a little above its centre.
  const side = Math.min(imageWidth, imageHeight, Math.round(Math.max(face.box.width, face.box.height) * 2.4));
  const centreX = face.box.x + face.box.width / 2;
  const centreY = face.box.y + face.box.height * 0.62;
  const left = Math.round(Math.min(Math.max(0, centreX - side / 2), imageWidth - side));
  const top = Math.round(Math.min(Math.max(0, centreY - side / 2), imageHeight - side));
  const scale = options.size / side;
  const portraitPath = join(options.dir, 'presenter.png');
  await writeFile(portraitPath, await sharp(upright).extract({ left, top, width: side, height: side }).resize(options.size, options.size).png({ compressionLevel: 1 }).toBuffer());
  const moved: FaceLandmarks = {
    ...face,
    box: { x: (face.box.x - left) * scale, y: (face.box.y - top) * scale, width: face.box.width * scale, height: face.box.height * scale },
    points: face.points.map(([x, y]) => [(x - left) * scale, (y - top) * scale] as const),
  };
  const run = options.signal === undefined ? {} : { signal: options.signal };
  const envelope = await speechEnvelopeOffThread(options.narration, TALKING_HEAD_FPS, run);
  const track = await mouthTrackOffThread({ visemes: visemesFromPhonemes(options.phonemes), duration: options.duration, fps: TALKING_HEAD_FPS, envelope }, run);
  const path = join(options.dir, 'presenter.mp4');
  await renderTalkingHead({
    portraitPath,
    face: moved,
    track,
    outPath: path,
    idle: { blink: true, head: true },
    seed: options.seed,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  return { path, face: moved };
}
