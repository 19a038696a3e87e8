/**
 * Talking-head benchmark: the local renderer on a real portrait (the astronaut, 512×512, and
 * the same face scaled onto a 1080×1920 canvas), 25 fps, idle motion on, a synthetic ~10 s
 * mouth track (syllables at ~4 Hz with pauses) and jfk.wav as the audio. Speech synthesis is
 * not included: landmarking (analyzePortrait, warm: the second call) + warp + encode.
 * Real-time factor = audio seconds / (landmark + render) wall seconds; target ≥ 1 on 2 cores.
 * Shares are of CPU time: warping runs on the worker threads and encoding in ffmpeg side by
 * side, so wall time is less than their sum. "cores for 1×" = CPU seconds per audio second:
 * below 2, two idle cores render faster than real time (the wall figure also shows what the
 * machine's load, printed with it, allowed).
 * The anchor, in the same run: ffmpeg alone encoding the same picture as a still video with
 * the same audio and the same x264/AAC settings — the least any renderer must pay to deliver
 * that video. "× still" is Shenbi's render time over that floor.
 * Run: npm run bench:talking-head   (SECONDS=n for another track length)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { analyzePortrait } from '../src/engines/talking-head/face/index.ts';
import { renderTalkingHead } from '../src/engines/talking-head/render/index.ts';
import type { MouthShape } from '../src/engines/talking-head/types.ts';
import { closeWorkerPool } from '../src/workers/pool.ts';
import { TESTDATA } from '../test/helpers/testdata.ts';

const SECONDS = Number(process.env.SECONDS ?? 10);
const FPS = 25;
const PORTRAIT = join(TESTDATA, 'portrait-astronaut.png');
const AUDIO = join(TESTDATA, 'jfk.wav');
const dir = mkdtempSync(join(tmpdir(), 'shenbi-bench-talking-head-'));

/** Syllables at ~4 Hz, words of 3–6 syllables, short pauses between: a speech-like mouth. */
function syntheticTrack(frames: number): MouthShape[] {
  return Array.from({ length: frames }, (_, i) => {
    const t = i / FPS;
    const inWord = (t % 1.6) < 1.25;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t));
    return { open: inWord ? 0.15 + 0.75 * syllable : 0, width: 0.4 * Math.sin(2 * Math.PI * 0.7 * t), round: Math.max(0, Math.sin(2 * Math.PI * 0.45 * t)) * 0.6 };
  });
}

async function canvases(): Promise<{ name: string; path: string }[]> {
  const tall = join(dir, 'astronaut-1080x1920.png');
  const face = await sharp(PORTRAIT).resize(1080, 1080, { kernel: 'lanczos3' }).png().toBuffer();
  await sharp({ create: { width: 1080, height: 1920, channels: 3, background: '#20242c' } }).composite([{ input: face, left: 0, top: 420 }]).png().toFile(tall);
  return [{ name: '512×512', path: PORTRAIT }, { name: '1080×1920', path: tall }];
}

/** ffmpeg alone: the still picture and the audio, encoded as the renderer encodes (wall seconds). */
function stillEncodeSeconds(picture: string, seconds: number, out: string): number {
  const started = performance.now();
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', String(FPS), '-i', picture, '-i', AUDIO, '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '19', '-pix_fmt', 'yuv420p', '-r', String(FPS), '-c:a', 'aac', '-b:a', '128k', '-af', 'apad', '-t', String(seconds), '-movflags', '+faststart', out]);
  return (performance.now() - started) / 1000;
}

const rows: string[][] = [];
const loadBefore = loadavg()[0]!;
try {
  for (const { name, path } of await canvases()) {
    const bytes = new Uint8Array(readFileSync(path));
    const cold = performance.now();
    await analyzePortrait(bytes);
    const coldMs = performance.now() - cold;
    const warm = performance.now();
    const analysis = await analyzePortrait(bytes);
    const landmarkMs = performance.now() - warm;
    const frames = syntheticTrack(SECONDS * FPS);
    const result = await renderTalkingHead({
      portraitPath: path, face: analysis.face, track: { fps: FPS, frames }, audioPath: AUDIO,
      outPath: join(dir, `out-${analysis.imageWidth}x${analysis.imageHeight}.mp4`), idle: { blink: true, head: true }, seed: 1,
    });
    const { warpMs, encodeMs, totalMs } = result.timings;
    const still = stillEncodeSeconds(path, result.duration, join(dir, `still-${analysis.imageWidth}.mp4`));
    const cpu = landmarkMs + warpMs + encodeMs;
    const pct = (x: number) => `${((100 * x) / cpu).toFixed(0)} %`;
    const r = result.region;
    rows.push([
      name, `${r.width}×${r.height}`, result.duration.toFixed(1), ((landmarkMs + totalMs) / 1000).toFixed(2),
      `${(result.duration / ((landmarkMs + totalMs) / 1000)).toFixed(2)}×`, (cpu / 1000 / result.duration).toFixed(2), `${(coldMs / 1000).toFixed(1)} s`,
      pct(landmarkMs), pct(warpMs), pct(encodeMs), (warpMs / result.frames).toFixed(1),
      still.toFixed(2), `${((landmarkMs + totalMs) / 1000 / still).toFixed(2)}×`,
    ]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await closeWorkerPool();
}

console.log(`talking head, ${FPS} fps, ${SECONDS} s synthetic mouth track, idle on, ${availableParallelism()} cores, load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
const header = ['canvas', 'patch', 'audio s', 'render s', 'real-time ×', 'cores for 1×', 'cold landmark', 'landmark', 'warp', 'encode', 'warp CPU ms/frame', 'ffmpeg still s', '× still'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log('render s = warm landmarking + warp + encode, wall; shares are of CPU time (landmarking: its wall time; warp on the worker threads and encode in ffmpeg run side by side).');
console.log('ffmpeg still s = the same picture as a still video with the same audio and x264/AAC settings, ffmpeg alone (the floor); × still = render s / that.');
