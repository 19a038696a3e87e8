import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../../core/errors.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { makeWorkDir, removeWorkDir } from '../../../fs/work-dir.ts';
import { offThreadTask, runOffThread } from '../../../workers/off-thread.ts';
import { workerPoolSize } from '../../../workers/pool.ts';
import { faceMeshTriangles } from '../face/triangulation.ts';
import * as frameModule from './frames.ts';
import type { FrameJob } from './frames.ts';
import { renderTalkingHeadOptionsSchema, type RenderResult, type RenderTalkingHeadOptions } from './options.ts';
import { startPatchEncoder, type PatchEncoder } from './patch-encoder.ts';
import { readPortrait } from './portrait.ts';
import { patchRegion } from './region.ts';

const renderFrameBatchTask = offThreadTask(new URL('./frames.ts', import.meta.url), frameModule, 'renderFrameBatch');

/** Frames per worker task: one second of video, big enough that the hop to a thread is noise. */
const batchFrames = (fps: number) => Math.max(1, Math.round(fps));

/**
 * Renders a talking head: the portrait, still, with its face region animated frame by frame
 * (mouth from the track, idle blinks and head motion) by a piecewise-affine mesh warp on the
 * worker pool, streamed to one ffmpeg encode that lays the patch over the still and adds the
 * label, subtitles and audio. Batches are drawn ahead (one per pool thread) while the
 * previous one is written, so warping and encoding overlap. A failure or abort kills ffmpeg
 * and leaves no file at outPath.
 */
export async function renderTalkingHead(input: RenderTalkingHeadOptions): Promise<RenderResult> {
  const options = parseOrThrow(renderTalkingHeadOptionsSchema, input, 'talking-head render options');
  const { signal, track } = options;
  const started = performance.now();
  throwIfCancelled(signal);
  const portrait = await readPortrait(options.portraitPath);
  const points = options.face.points;
  const outside = points.findIndex(([x, y]) => x < 0 || y < 0 || x > portrait.width || y > portrait.height);
  if (outside >= 0) {
    throw new ShenbiError('INVALID_INPUT', `face landmark ${outside} lies outside the ${portrait.width}×${portrait.height} portrait: the landmarks are not of this image`, {
      hint: 'Analyse the portrait at the size it is rendered at.',
    });
  }
  const region = patchRegion(points, portrait.width, portrait.height);
  const frameCount = track.frames.length;
  const fps = track.fps;
  const mouth = new Float32Array(frameCount * 3);
  track.frames.forEach((shape, i) => mouth.set([shape.open, shape.width, shape.round], i * 3));
  const job: FrameJob = {
    patch: portrait.crop(region),
    width: region.width,
    height: region.height,
    originX: region.x,
    originY: region.y,
    points: Float64Array.from(points.flat()),
    triangles: Uint32Array.from(faceMeshTriangles()),
    mouth,
    fps,
    idle: options.idle,
    seed: options.seed,
  };
  const work = await makeWorkDir('talking-head');
  let encoder: PatchEncoder | undefined;
  const inFlight: Promise<frameModule.FrameBatch>[] = [];
  try {
    const stillPath = join(work, 'still.rgb');
    await writeFile(stillPath, portrait.rgb);
    encoder = await startPatchEncoder({
      stillPath,
      width: portrait.width,
      height: portrait.height,
      patch: region,
      fps,
      frameCount,
      output: options.outPath,
      workDir: work,
      ...(options.audioPath === undefined ? {} : { audioPath: options.audioPath }),
      ...(options.labelFilter === undefined ? {} : { labelFilter: options.labelFilter }),
      ...(options.subtitlesPath === undefined ? {} : { subtitlesPath: options.subtitlesPath }),
      ...(signal === undefined ? {} : { signal }),
    });
    const size = batchFrames(fps);
    const ahead = Math.max(1, workerPoolSize());
    let requested = 0;
    let written = 0;
    let warpMs = 0;
    const request = () => {
      const count = Math.min(size, frameCount - requested);
      const batch = runOffThread(renderFrameBatchTask, [job, requested, count], signal === undefined ? {} : { signal });
      batch.catch(() => undefined); // awaited in order below; an early failure must not go unhandled meanwhile
      inFlight.push(batch);
      requested += count;
    };
    while (written < frameCount) {
      while (requested < frameCount && inFlight.length < ahead) request();
      const batch = await inFlight.shift()!;
      throwIfCancelled(signal);
      warpMs += batch.ms;
      await encoder.write(batch.frames);
      written += batch.frames.length / (region.width * region.height * 3);
      options.onProgress?.(Math.min(0.99, written / frameCount));
    }
    const encodeMs = await encoder.finish();
    encoder = undefined;
    options.onProgress?.(1);
    return {
      frames: frameCount,
      duration: frameCount / fps,
      region,
      timings: { landmarkMs: 0, warpMs, encodeMs, totalMs: performance.now() - started },
    };
  } catch (error) {
    await encoder?.discard();
    await Promise.allSettled(inFlight);
    if (signal?.aborted) throw cancelled(signal);
    throw error;
  } finally {
    await removeWorkDir(work);
  }
}

function cancelled(signal: AbortSignal): ShenbiError {
  const reason: unknown = signal.reason;
  return reason instanceof ShenbiError ? reason : new ShenbiError('JOB_CANCELLED', 'The talking-head render was cancelled.', { cause: reason });
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(signal);
}
