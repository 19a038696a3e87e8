import { withOverlay, type PictureOverlay } from './post.ts';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { grabFrame } from './frames.ts';
import { probeMedia, runFfmpeg } from './run-ffmpeg.ts';
import { frameSize } from './timeline.ts';
import { makeWorkDir, removeWorkDir } from '../../fs/work-dir.ts';

export interface ReframeOptions {
  output: string;
  /** 'blur': the whole picture over a blurred, zoomed copy of itself; 'follow': a 9:16 crop that follows the moving subject. */
  mode: 'blur' | 'follow';
  resolution?: '720p' | '1080p';
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Horizontal centre (0..1) of what moves between two frames, or undefined when nothing does. */
function motionCentre(a: Buffer, b: Buffer, width: number, height: number): number | undefined {
  let weight = 0;
  let sum = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const d = Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
      if (d > 60) {
        weight += d;
        sum += d * x;
      }
    }
  }
  return weight > 0 ? sum / weight / width : undefined;
}

/**
 * The subject's horizontal path: motion centroids sampled ~4 times a second, held through
 * stillness, smoothed. Grabbing the frames is the slow part (up to a minute on a long clip),
 * so `onProgress` hears each one.
 */
export async function subjectPath(path: string, duration: number, signal?: AbortSignal, onProgress?: (fraction: number) => void): Promise<{ time: number; x: number }[]> {
  const samples = Math.max(2, Math.min(120, Math.ceil(duration * 4)));
  const times = Array.from({ length: samples + 1 }, (_, i) => Math.min(duration - 0.05, (duration * i) / samples));
  const frames: Awaited<ReturnType<typeof grabFrame>>[] = [];
  for (const t of times) {
    frames.push(await grabFrame(path, t, 160, signal));
    onProgress?.(frames.length / times.length);
  }
  const raw: (number | undefined)[] = frames.map((f, i) => {
    const other = frames[i + 1] ?? frames[i - 1]!;
    return motionCentre(f.data, other.data, f.width, f.height);
  });
  let last = raw.find((v) => v !== undefined) ?? 0.5;
  const held = raw.map((v) => (last = v ?? last));
  // A short moving average keeps the virtual camera from twitching.
  const smooth = held.map((_, i) => {
    const window = held.slice(Math.max(0, i - 1), i + 2);
    return window.reduce((a, b) => a + b, 0) / window.length;
  });
  return times.map((time, i) => ({ time, x: smooth[i]! }));
}

/** A piecewise-linear ffmpeg expression in t through the given points. */
function piecewise(points: { time: number; value: number }[]): string {
  let expr = points.at(-1)!.value.toFixed(1);
  for (let i = points.length - 2; i >= 0; i--) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const slope = (b.value - a.value) / Math.max(1e-6, b.time - a.time);
    expr = `if(lt(t,${b.time.toFixed(3)}),${a.value.toFixed(1)}+(${slope.toFixed(3)})*(t-${a.time.toFixed(3)}),${expr})`;
  }
  return expr;
}

/** Landscape to portrait (9:16), keeping the sound. */
export async function toPortrait(path: string, options: ReframeOptions): Promise<{ width: number; height: number; duration: number }> {
  const probe = await probeMedia(path);
  const video = probe.streams.find((s) => s.type === 'video');
  if (!video?.width || !video.height) throw new ShenbiError('MEDIA_INVALID', `${path} has no video stream`);
  if (!(probe.duration > 0)) throw new ShenbiError('MEDIA_INVALID', `${path} has zero length`);
  const { width, height } = frameSize('9:16', options.resolution ?? '720p');
  let filter: string;
  // Follow mode analyses the motion first (half the bar), then encodes (the other half).
  const encodeShare = options.mode === 'follow' ? 0.5 : 1;
  const report = options.onProgress;
  if (options.mode === 'blur') {
    filter = `[0:v]split[a][b];[a]scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},boxblur=20:2[bg];[b]scale=${width}:-2[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2,setsar=1,format=yuv420p[v]`;
  } else {
    const cropWidth = Math.min(video.width, Math.round((video.height * 9) / 16 / 2) * 2);
    const path_ = await subjectPath(path, probe.duration, options.signal, report ? (f) => report((1 - encodeShare) * f) : undefined);
    const points = path_.map((p) => ({ time: p.time, value: Math.max(0, Math.min(video.width! - cropWidth, p.x * video.width! - cropWidth / 2)) }));
    filter = `[0:v]crop=w=${cropWidth}:h=${video.height}:x='${piecewise(points)}':y=0,scale=${width}:${height},setsar=1,format=yuv420p[v]`;
  }
  const hasAudio = probe.streams.some((s) => s.type === 'audio');
  const work = await makeWorkDir('reframe');
  try {
    await runFfmpeg(
      ['-i', path, '-filter_complex', filter, '-map', '[v]', ...(hasAudio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '160k'] : []), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-movflags', '+faststart'],
      { output: options.output, durationSeconds: probe.duration, ...(options.signal ? { signal: options.signal } : {}), ...(report ? { onProgress: (f: number) => report(1 - encodeShare + encodeShare * f) } : {}) },
    );
  } finally {
    await removeWorkDir(work);
  }
  return { width, height, duration: probe.duration };
}

/** Two-pass stabilisation with vid.stab: detect the camera shake, then transform it away (with a slight zoom to hide edges). */
export async function stabilize(path: string, options: { output: string; smoothing?: number; signal?: AbortSignal; onProgress?: (f: number) => void; overlay?: PictureOverlay }): Promise<void> {
  const probe = await probeMedia(path);
  if (!probe.streams.some((s) => s.type === 'video')) throw new ShenbiError('MEDIA_INVALID', `${path} has no video stream`);
  const work = await makeWorkDir('stabilize');
  try {
    const transforms = join(work, 'transforms.trf');
    const hasAudio = probe.streams.some((s) => s.type === 'audio');
    const picture = probe.streams.find((s) => s.type === 'video');
    await runFfmpeg(['-i', path, '-vf', `vidstabdetect=shakiness=8:accuracy=15:result=${transforms}`, '-f', 'null'], {
      output: devNull,
      durationSeconds: probe.duration,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: (f: number) => options.onProgress!(f / 2) } : {}),
    });
    await runFfmpeg(
      ['-i', path, '-vf', await withOverlay(`vidstabtransform=input=${transforms}:smoothing=${options.smoothing ?? 30}:zoom=5,unsharp=5:5:0.6:3:3:0.3,format=yuv420p`, options.overlay, { width: picture?.width ?? 0, height: picture?.height ?? 0 }, work), ...(hasAudio ? ['-c:a', 'copy'] : []), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-movflags', '+faststart'],
      { output: options.output, durationSeconds: probe.duration, ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: (f: number) => options.onProgress!(0.5 + f / 2) } : {}) },
    );
  } finally {
    await removeWorkDir(work);
  }
}
