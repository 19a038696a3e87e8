import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSharp } from '../../media/load-sharp.ts';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { assFonts, ensureFonts } from './fonts.ts';
import { probeMedia, runFfmpeg } from './run-ffmpeg.ts';
import { frameSize, timelineSchema, type Scene, type Timeline } from './timeline.ts';
import { makeWorkDir, removeWorkDir } from '../../fs/work-dir.ts';
import { sharpErrorGist } from '../image-ops/sharp-error.ts';

export interface ComposeVideoOptions {
  output: string;
  /**
   * A last filter over the finished picture (e.g. the AI label's drawtext), given the frame
   * size and a work folder that lives until ffmpeg ends; drawn in this encode, not another.
   */
  overlay?: (frame: { width: number; height: number }, workDir: string) => Promise<string | undefined>;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Scene pictures are read once by the ffmpeg beside them: fast compression, same pixels. */
const SCRATCH_PNG = { compressionLevel: 1 } as const;

/** A designed background: a diagonal gradient of the scene's colours, drawn by sharp. */
async function backgroundPng(scene: Scene, width: number, height: number, path: string): Promise<void> {
  const sharp = await loadSharp();
  if (scene.image) {
    try {
      await stat(scene.image);
    } catch {
      throw new ShenbiError('MEDIA_INVALID', `scene image not found: ${scene.image}`);
    }
    try {
      await sharp(scene.image).resize(width, height, { fit: 'cover' }).png(SCRATCH_PNG).toFile(path);
    } catch (error) {
      throw new ShenbiError('MEDIA_INVALID', `cannot read scene image ${scene.image}: ${sharpErrorGist(error)}`, { cause: error });
    }
    return;
  }
  const colors = scene.colors ?? ['#1d2b53', '#7e2553'];
  const stops = colors.map((c, i) => `<stop offset="${colors.length === 1 ? 0 : i / (colors.length - 1)}" stop-color="${c}"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">${stops}</linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
  await sharp(Buffer.from(svg)).png(SCRATCH_PNG).toFile(path);
}

/** zoompan expression per Ken Burns motion, over `frames` output frames; undefined for a still. */
function motionFilter(scene: Scene, frames: number, width: number, height: number, fps: number): string | undefined {
  const n = Math.max(1, frames - 1);
  const common = `d=1:s=${width}x${height}:fps=${fps}`;
  switch (scene.motion) {
    case 'zoom-in':
      return `zoompan=z='1+0.12*on/${n}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':${common}`;
    case 'zoom-out':
      return `zoompan=z='1.12-0.12*on/${n}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':${common}`;
    case 'pan-left':
      return `zoompan=z='1.12':x='(iw-iw/zoom)*(1-on/${n})':y='ih/2-(ih/zoom/2)':${common}`;
    case 'pan-right':
      return `zoompan=z='1.12':x='(iw-iw/zoom)*on/${n}':y='ih/2-(ih/zoom/2)':${common}`;
    default:
      return undefined; // the picture is already width×height (backgroundPng)
  }
}

/**
 * Renders a timeline to H.264/AAC MP4 (yuv420p, faststart): still or designed scenes with
 * Ken Burns motion, optional cross-fades, an ASS script burned in (titles, lyrics,
 * subtitles; CJK through fontconfig) and a soundtrack. ffmpeg's progress is reported;
 * cancelling kills it and leaves no partial file.
 */
export async function composeVideo(input: Timeline, options: ComposeVideoOptions): Promise<{ duration: number; width: number; height: number }> {
  const timeline = parseOrThrow(timelineSchema, input, 'timeline');
  const { width, height } = frameSize(timeline.aspect, timeline.resolution);
  const fps = timeline.fps;
  const fade = timeline.scenes.length > 1 ? timeline.transition : 0;
  if (fade > 0 && timeline.scenes.some((s) => s.duration <= fade)) throw new ShenbiError('INVALID_INPUT', `every scene must last longer than the ${fade} s transition`);
  const duration = timeline.scenes.reduce((sum, s) => sum + s.duration, 0) - fade * (timeline.scenes.length - 1);
  if (timeline.audio) {
    try {
      await stat(timeline.audio);
    } catch {
      throw new ShenbiError('MEDIA_INVALID', `soundtrack not found: ${timeline.audio}`);
    }
  }
  if (timeline.ass) await ensureFonts(assFonts(timeline.ass));
  const work = await makeWorkDir('video');
  try {
    const args: string[] = [];
    const filters: string[] = [];
    const picture = (i: number) => join(work, `scene-${i}.png`);
    // The pictures are independent: drawn together rather than one after another.
    options.signal?.throwIfAborted();
    const drawn = await Promise.allSettled(timeline.scenes.map((scene, i) => (scene.video ? undefined : backgroundPng(scene, width, height, picture(i)))));
    const failed = drawn.find((d) => d.status === 'rejected');
    if (failed) throw failed.reason;
    for (const [i, scene] of timeline.scenes.entries()) {
      options.signal?.throwIfAborted();
      if (scene.video) {
        const probe = await probeMedia(scene.video);
        if (!probe.streams.some((s) => s.type === 'video')) throw new ShenbiError('MEDIA_INVALID', `scene clip has no picture: ${scene.video}`);
        // Loop a clip that is shorter than its scene; fill the frame (cover) rather than letterbox.
        args.push('-stream_loop', '-1', '-ss', scene.start.toFixed(3), '-t', scene.duration.toFixed(3), '-i', scene.video);
        filters.push(`[${i}:v]scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},fps=${fps},setsar=1,format=yuv420p,trim=duration=${scene.duration.toFixed(3)},setpts=PTS-STARTPTS[s${i}]`);
        continue;
      }
      // One frame, decoded and converted to yuv420p once, then repeated by the loop filter
      // (`-loop 1` decoded the PNG again for every frame); zoompan works on the yuv frame.
      args.push('-framerate', String(fps), '-i', picture(i));
      const frames = Math.round(scene.duration * fps);
      const motion = motionFilter(scene, frames, width, height, fps);
      filters.push(`[${i}:v]format=yuv420p,loop=loop=-1:size=1,setpts=N/${fps}/TB,${motion === undefined ? '' : `${motion},`}setsar=1,trim=duration=${scene.duration.toFixed(3)},setpts=PTS-STARTPTS[s${i}]`);
    }
    let last = 's0';
    if (fade > 0) {
      let offset = 0;
      for (let i = 1; i < timeline.scenes.length; i++) {
        offset += timeline.scenes[i - 1]!.duration - fade;
        filters.push(`[${last}][s${i}]xfade=transition=fade:duration=${fade}:offset=${offset.toFixed(3)}[x${i}]`);
        last = `x${i}`;
      }
    } else if (timeline.scenes.length > 1) {
      filters.push(`${timeline.scenes.map((_, i) => `[s${i}]`).join('')}concat=n=${timeline.scenes.length}:v=1:a=0[cat]`);
      last = 'cat';
    }
    if (timeline.presenter) {
      // The presenter input comes after the soundtrack, so the soundtrack keeps its index.
      const index = timeline.scenes.length + (timeline.audio ? 1 : 0);
      const { size } = timeline.presenter;
      const margin = Math.round(Math.min(width, height) * 0.03);
      // Above the subtitle band in a tall frame, where subtitles span the width.
      const bottom = height > width ? Math.round(height * 0.2) : margin;
      filters.push(`[${index}:v]scale=${size}:${size},setsar=1,format=yuv420p,drawbox=c=white@0.85:t=${Math.max(2, Math.round(size / 90))},setpts=PTS-STARTPTS[pip]`);
      filters.push(`[${last}][pip]overlay=x=${width - size - margin}:y=${height - size - bottom}:eof_action=repeat[presented]`);
      last = 'presented';
    }
    if (timeline.ass) {
      const assPath = join(work, 'overlay.ass');
      await writeFile(assPath, timeline.ass, 'utf8');
      filters.push(`[${last}]ass=filename=${assPath.replace(/([\\:'])/g, '\\$1')}[subbed]`);
      last = 'subbed';
    }
    const overlay = await options.overlay?.({ width, height }, work);
    if (overlay !== undefined) {
      filters.push(`[${last}]${overlay}[labeled]`);
      last = 'labeled';
    }
    const filterScript = join(work, 'filters.txt');
    await writeFile(filterScript, filters.join(';\n'), 'utf8');
    args.push(...(timeline.audio ? ['-i', timeline.audio] : []));
    if (timeline.presenter) args.push('-i', timeline.presenter.video);
    args.push('-filter_complex_script', filterScript, '-map', `[${last}]`);
    if (timeline.audio) args.push('-map', `${timeline.scenes.length}:a:0`, '-c:a', 'aac', '-b:a', '160k', '-ar', '48000');
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-pix_fmt', 'yuv420p', '-r', String(fps), '-t', duration.toFixed(3), '-movflags', '+faststart');
    await runFfmpeg(args, { output: options.output, durationSeconds: duration, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    return { duration, width, height };
  } finally {
    await removeWorkDir(work);
  }
}
