import { loadSharp } from '../../media/load-sharp.ts';
import { ShenbiError } from '../../core/errors.ts';
import { grabFrame } from './frames.ts';
import { probeMedia } from './run-ffmpeg.ts';

export interface FrameScore {
  time: number;
  sharpness: number;
  exposure: number;
  colourfulness: number;
  change: number;
  score: number;
}

function luma(data: Buffer, i: number): number {
  return 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
}

/**
 * Per-frame qualities a good cover has: sharpness (variance of the Laplacian of the luma),
 * exposure (mean brightness near the middle, few clipped pixels), colourfulness
 * (Hasler–Süsstrunk), and distinctness from the previous candidate (a scene change).
 */
export function scoreFrame(frame: { data: Buffer; width: number; height: number }, previous?: Buffer): Omit<FrameScore, 'time' | 'score'> {
  const { data, width, height } = frame;
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = (y * width + x) * 3;
      const lap = 4 * luma(data, i) - luma(data, i - 3) - luma(data, i + 3) - luma(data, i - width * 3) - luma(data, i + width * 3);
      lapSum += lap;
      lapSq += lap * lap;
      n++;
    }
  }
  const sharpness = n ? lapSq / n - (lapSum / n) ** 2 : 0;
  let sum = 0;
  let clipped = 0;
  let rgSum = 0, rgSq = 0, ybSum = 0, ybSq = 0;
  const pixels = width * height;
  for (let i = 0; i < pixels * 3; i += 3) {
    const l = luma(data, i);
    sum += l;
    if (l < 8 || l > 247) clipped++;
    const rg = data[i]! - data[i + 1]!;
    const yb = 0.5 * (data[i]! + data[i + 1]!) - data[i + 2]!;
    rgSum += rg; rgSq += rg * rg; ybSum += yb; ybSq += yb * yb;
  }
  const mean = sum / pixels;
  const exposure = Math.max(0, 1 - Math.abs(mean - 128) / 128 - clipped / pixels);
  const rgStd = Math.sqrt(Math.max(0, rgSq / pixels - (rgSum / pixels) ** 2));
  const ybStd = Math.sqrt(Math.max(0, ybSq / pixels - (ybSum / pixels) ** 2));
  const colourfulness = Math.sqrt(rgStd ** 2 + ybStd ** 2) + 0.3 * Math.sqrt((rgSum / pixels) ** 2 + (ybSum / pixels) ** 2);
  let change = 0;
  if (previous && previous.length === data.length) {
    for (let i = 0; i < data.length; i += 3) change += Math.abs(luma(data, i) - luma(previous, i));
    change /= pixels;
  }
  return { sharpness, exposure, colourfulness, change };
}

/**
 * ffmpeg's input seek decodes the first frame at or after the time asked, so a time between
 * frames would be reported up to a frame before the picture shown. Candidates are therefore
 * moved to the start of the frame they show (constant frame rate; `fps` 0 leaves them as they are).
 */
function onFrame(time: number, fps: number): number {
  if (!(fps > 0)) return time;
  return Math.ceil(time * fps - 1e-6) / fps;
}

/** Where to seek for the frame starting at `time`: a millisecond earlier, so rounding the seek to ms never skips it. */
function seekTime(time: number): number {
  return Math.max(0, time - 0.001);
}

/** Candidate frames across the video, scored; the best first. Each grab is an ffmpeg run, so `onProgress` hears each frame. */
export async function rankCoverFrames(path: string, options: { candidates?: number; signal?: AbortSignal; onProgress?: (fraction: number, frame: number, frames: number) => void } = {}): Promise<FrameScore[]> {
  const probe = await probeMedia(path);
  if (!probe.streams.some((s) => s.type === 'video')) throw new ShenbiError('MEDIA_INVALID', `${path} has no video stream`);
  if (!(probe.duration > 0)) throw new ShenbiError('MEDIA_INVALID', `${path} has zero length`);
  const count = Math.max(3, Math.min(60, options.candidates ?? 24));
  const fps = probe.streams.find((s) => s.type === 'video' && s.attachedPic !== true)?.fps ?? 0;
  const raw: Omit<FrameScore, 'score'>[] = [];
  let previous: Buffer | undefined;
  for (let k = 0; k < count; k++) {
    // Avoid the very first and last frames (fades, black).
    const time = onFrame(probe.duration * (0.04 + (0.92 * (k + 0.5)) / count), fps);
    const frame = await grabFrame(path, seekTime(time), 160, options.signal);
    raw.push({ time, ...scoreFrame(frame, previous) });
    previous = frame.data;
    options.onProgress?.((k + 1) / count, k + 1, count);
  }
  // Normalise each quality over the candidates, then weigh them: sharpness counts most.
  const max = (key: 'sharpness' | 'colourfulness' | 'change') => Math.max(1e-9, ...raw.map((r) => r[key]));
  const [ms, mc, mch] = [max('sharpness'), max('colourfulness'), max('change')];
  return raw
    .map((r) => ({ ...r, score: 0.55 * (r.sharpness / ms) + 0.2 * r.exposure + 0.15 * (r.colourfulness / mc) + 0.1 * (r.change / mch) }))
    .sort((a, b) => b.score - a.score);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The chosen frame at full size as a JPEG, with an optional title band drawn over its lower third. */
export async function renderCover(path: string, time: number, options: { title?: string; width?: number; signal?: AbortSignal } = {}): Promise<Buffer> {
  const sharp = await loadSharp();
  const frame = await grabFrame(path, seekTime(time), options.width ?? 1280, options.signal);
  let image = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  if (options.title) {
    const size = Math.round(Math.min(frame.width, frame.height) / 9);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}">
<defs><linearGradient id="shade" x1="0" y1="0" x2="0" y2="1"><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.7"/></linearGradient></defs>
<rect width="100%" height="100%" fill="url(#shade)"/>
<text x="50%" y="${Math.round(frame.height * 0.86)}" text-anchor="middle" font-family="Noto Sans CJK SC, sans-serif" font-weight="700" font-size="${size}" fill="#fff" stroke="#000" stroke-width="${Math.max(2, Math.round(size / 18))}" paint-order="stroke">${escapeXml(options.title)}</text>
</svg>`;
    image = image.composite([{ input: Buffer.from(svg) }]);
  }
  return image.jpeg({ quality: 90 }).toBuffer();
}
