import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { encodeWavOffThread } from '../../media/audio/off-thread.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { assFonts, ensureFonts } from './fonts.ts';
import { keepStreamsInMp4, mainPictureIndex, textSubtitleIndexes } from './keep-streams.ts';
import { probeMedia, runFfmpeg } from './run-ffmpeg.ts';
import { makeWorkDir, removeWorkDir } from '../../fs/work-dir.ts';

/** A last filter over the finished picture (the AI label), drawn in this encode: see ComposeVideoOptions.overlay. */
export type PictureOverlay = (frame: { width: number; height: number }, workDir: string) => Promise<string | undefined>;

interface PostOptions {
  output: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  overlay?: PictureOverlay;
}

/** `filter` with the overlay appended, when there is one. */
export async function withOverlay(filter: string, overlay: PictureOverlay | undefined, frame: { width: number; height: number }, workDir: string): Promise<string> {
  const extra = await overlay?.(frame, workDir);
  return extra === undefined ? filter : `${filter},${extra}`;
}

function progressOptions(options: PostOptions, duration: number) {
  return { output: options.output, durationSeconds: duration, ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
}

/** Burns an ASS script into a video (libass, CJK fonts), or adds it as a soft mov_text track; the sound and the source's other streams are kept. */
export async function addSubtitles(video: string, ass: string, options: PostOptions & { soft?: boolean }): Promise<void> {
  const probe = await probeMedia(video);
  if (!probe.streams.some((s) => s.type === 'video')) throw new ShenbiError('MEDIA_INVALID', `${video} has no video stream`);
  if (!options.soft) await ensureFonts(assFonts(ass));
  const work = await makeWorkDir('subs');
  try {
    const assPath = join(work, 'subs.ass');
    await writeFile(assPath, ass, 'utf8');
    const picture = probe.streams.find((s) => s.type === 'video');
    const burn = options.soft ? '' : await withOverlay(`ass=filename=${assPath.replace(/([\\:'])/g, '\\$1')}`, options.overlay, { width: picture?.width ?? 0, height: picture?.height ?? 0 }, work);
    const args = options.soft
      ? ['-i', video, '-i', assPath, '-map', '0:v', '-map', '0:a?', '-map', '1:0', ...textSubtitleIndexes(probe.streams).flatMap((i) => ['-map', `0:${i}`]), '-c:v', 'copy', '-c:a', 'copy', '-c:s', 'mov_text', '-metadata:s:s:0', 'language=und', '-movflags', '+faststart']
      : ['-i', video, ...keepStreamsInMp4(probe.streams, { index: mainPictureIndex(probe.streams) ?? 0, filter: burn, encoder: ['libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'] }).args, '-movflags', '+faststart'];
    await runFfmpeg(args, progressOptions(options, probe.duration));
  } finally {
    await removeWorkDir(work);
  }
}

/**
 * Dubbing: a voice-over laid on a video. 'duck' keeps the original sound under the voice
 * (sidechain compression keyed by the voice); 'replace' drops it. The video is copied untouched.
 */
export async function dubVideo(video: string, voice: PcmAudio, options: PostOptions & { mode?: 'duck' | 'replace' }): Promise<void> {
  const probe = await probeMedia(video);
  if (!probe.streams.some((s) => s.type === 'video')) throw new ShenbiError('MEDIA_INVALID', `${video} has no video stream`);
  if (voice.samples.length === 0) throw new ShenbiError('MEDIA_INVALID', 'the voice-over is empty');
  const hasAudio = probe.streams.some((s) => s.type === 'audio');
  const work = await makeWorkDir('dub');
  try {
    const voicePath = join(work, 'voice.wav');
    await writeFile(voicePath, await encodeWavOffThread(voice, 1, options.signal === undefined ? {} : { signal: options.signal }));
    const duck = (options.mode ?? 'duck') === 'duck' && hasAudio;
    const filter = duck
      ? '[1:a]aresample=48000,apad,asplit=2[vo][key];[0:a]aresample=48000[orig];[orig][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=300[bed];[bed][vo]amix=inputs=2:duration=first:normalize=0[a]'
      : '[1:a]aresample=48000,apad[a]';
    await runFfmpeg(
      ['-i', video, '-i', voicePath, '-filter_complex', filter, '-map', '0:v:0', '-map', '[a]', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '160k', '-t', probe.duration.toFixed(3), '-movflags', '+faststart'],
      progressOptions(options, probe.duration),
    );
  } finally {
    await removeWorkDir(work);
  }
}

/**
 * Enhancement in one pass: denoise (hqdn3d), contrast and colour (eq), sharpen (cas), and
 * an optional Lanczos upscale. Settings are gentle by design: the goal is a cleaner picture,
 * not a different one.
 */
export async function enhanceVideo(video: string, options: PostOptions & { upscale?: 1 | 2; strength?: 'light' | 'medium' | 'strong' }): Promise<void> {
  const probe = await probeMedia(video);
  const stream = probe.streams.find((s) => s.type === 'video');
  if (!stream?.width || !stream.height) throw new ShenbiError('MEDIA_INVALID', `${video} has no video stream`);
  const level = { light: 0.5, medium: 1, strong: 1.6 }[options.strength ?? 'medium'];
  const scale = options.upscale === 2 ? `,scale=${stream.width * 2}:${stream.height * 2}:flags=lanczos` : '';
  // Temporal denoise first (noise moves, the picture does not), then contrast-adaptive
  // sharpening, which sharpens edges more than flat areas, so what noise is left is not amplified.
  const base = `hqdn3d=${(3.75 * level).toFixed(2)}:${(2.5 * level).toFixed(2)}:${(9.4 * level).toFixed(2)}:${(6.25 * level).toFixed(2)},eq=contrast=${(1 + 0.04 * level).toFixed(3)}:saturation=${(1 + 0.1 * level).toFixed(3)}${scale},cas=${Math.min(1, 0.2 * level).toFixed(2)},format=yuv420p`;
  const work = await makeWorkDir('enhance');
  try {
    const factor = options.upscale === 2 ? 2 : 1;
    const filter = await withOverlay(base, options.overlay, { width: stream.width * factor, height: stream.height * factor }, work);
    const kept = keepStreamsInMp4(probe.streams, { index: mainPictureIndex(probe.streams) ?? 0, filter, encoder: ['libx264', '-preset', 'veryfast', '-crf', '20'] });
    await runFfmpeg(['-i', video, ...kept.args, '-movflags', '+faststart'], progressOptions(options, probe.duration));
  } finally {
    await removeWorkDir(work);
  }
}
