import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { sniffContainer } from '../../governance/implicit/sniff.ts';
import { probeMedia } from '../video/run-ffmpeg.ts';
import type { TalkingHeadContext } from './types.ts';

function refused(ctx: TalkingHeadContext, requestId: string, why: string, cause?: unknown): ShenbiError {
  return new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the result of ${requestId} ${why}; nothing was kept`, { details: { request: requestId }, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Refuses anything but an MP4 with a video stream: an HTML error page, a picture or a
 * truncated file answered as "the video" never reaches the store. The `ftyp` box is checked
 * first (cheap), then ffprobe (a child process) reads the file.
 */
export async function checkMp4(bytes: Uint8Array, requestId: string, ctx: TalkingHeadContext): Promise<void> {
  const box = bytes.byteLength >= 12 ? Buffer.from(bytes.buffer, bytes.byteOffset + 4, 4).toString('latin1') : '';
  if (box !== 'ftyp') throw refused(ctx, requestId, `is not an MP4 (${bytes.byteLength} bytes that look like ${sniffContainer(bytes)})`);
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-talking-head-'));
  try {
    const path = join(dir, 'result.mp4');
    await writeFile(path, bytes);
    let probed;
    try {
      probed = await probeMedia(path, { timeoutMs: 60_000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    } catch (error) {
      if (ctx.signal?.aborted) throw ctx.signal.reason;
      if (error instanceof ShenbiError && error.code === 'MEDIA_INVALID') throw refused(ctx, requestId, 'does not read as an MP4', error);
      throw error;
    }
    if (!probed.streams.some((s) => s.type === 'video' && !s.attachedPic)) throw refused(ctx, requestId, 'is an MP4 without a video stream');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
