import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { probeMedia, runFfmpeg } from '../video/run-ffmpeg.ts';
import type { SniffedMedia, TalkingHeadContext, TalkingHeadInputs } from './types.ts';

/** Lip-sync models re-time a video's mouth; 25 fps is what they train on and re-encode to. */
const STILL_FPS = 25;

/**
 * The portrait as a silent H.264 video as long as the audio, for lip-sync models that take a
 * video (MuseTalk, LatentSync, sync.). ffmpeg runs as a child process, off the event loop;
 * odd sizes are trimmed to even ones (yuv420p needs them).
 */
export async function stillVideo(inputs: TalkingHeadInputs, ctx: TalkingHeadContext): Promise<SniffedMedia> {
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-still-'));
  try {
    const image = join(dir, `portrait.${inputs.portrait.extension}`);
    const audio = join(dir, `audio.${inputs.audio.extension}`);
    const out = join(dir, 'still.mp4');
    await writeFile(image, inputs.portrait.bytes);
    await writeFile(audio, inputs.audio.bytes);
    const probed = await probeMedia(audio, { timeoutMs: 30_000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!(probed.duration > 0)) throw new ShenbiError('MEDIA_INVALID', 'the audio has no duration: nothing to lip-sync');
    const args = ['-loop', '1', '-framerate', String(STILL_FPS), '-i', image, '-t', probed.duration.toFixed(3),
      '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-crf', '23', '-movflags', '+faststart', '-an'];
    await runFfmpeg(args, { output: out, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const bytes = new Uint8Array(await readFile(out));
    if (bytes.byteLength > ctx.maxInputBytes) {
      throw new ShenbiError('INVALID_INPUT', `the portrait as a ${probed.duration.toFixed(1)} s still video is ${bytes.byteLength} bytes; at most ${ctx.maxInputBytes} are sent inline`, {
        details: { limitBytes: ctx.maxInputBytes, bytes: bytes.byteLength },
        hint: 'Use a smaller portrait or shorter audio, or a model that takes the picture itself (fal:fal-ai/sadtalker).',
      });
    }
    return { bytes, mimeType: 'video/mp4', extension: 'mp4' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
