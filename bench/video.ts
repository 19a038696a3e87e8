/**
 * Lyric-video encode benchmark (issue #23): a 36 s song with a fixed lyric sheet made into a
 * 9:16 720p lyric video, alternating ROUNDS rounds (default 3), medians:
 *  1. job    — the `video.lyric` step as a job in a warm Shenbi (reading inputs, backgrounds,
 *              ffmpeg with the AI label in the same graph, storing the artifact), per stage;
 *  2. own    — the step's own ffmpeg command alone, replayed on a copy of its inputs;
 *  3. hand   — one hand-written ffmpeg command per anchor, the same scene cuts, lyric ASS,
 *              label drawtext and song, same x264/AAC settings, size and fps: "gradient" paints
 *              the step's own scene pictures (read once), "colour" a flat colour per scene.
 * Ratios against both anchors (target ≤ 1.2×) and the SSIM (ffmpeg `ssim`) of the job's video
 * against the hand commands' (target ≥ 0.98 against the same design, the gradient one).
 * Run: npm run bench:video   (ROUNDS=n; KEEP=1 keeps the work folder; under
 * `flock /tmp/shenbi-bench.lock` on a shared host)
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PipelineSpecInput } from '../src/core/pipeline.ts';
import type { JobEvent } from '../src/core/progress.ts';
import type { Provenance } from '../src/core/provenance.ts';
import { lyricAss } from '../src/engines/video/lyric-ass.ts';
import { probeMedia } from '../src/engines/video/run-ffmpeg.ts';
import { frameSize } from '../src/engines/video/timeline.ts';
import { createVideoLabeler } from '../src/governance/explicit/video-labeler.ts';
import { parseLrc } from '../src/media/subtitles/index.ts';
import { lyricScenes } from '../src/pipelines/steps/video/lyric-scenes.ts';
import { Shenbi } from '../src/shenbi.ts';
import { printTable } from './print-table.ts';

const run = promisify(execFile);
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 3));
const SECONDS = 36;
const FPS = 25;
const { width, height } = frameSize('9:16', '720p');

/** Twelve four-syllable lines, one every 2.8 s from 1.6 s, each syllable 0.6 s. */
const LINES = ['新年快乐', '万事如意', '身体健康', '心想事成', '花好月圆', '岁岁平安', '春风得意', '前程似锦', '阖家欢乐', '福星高照', '笑口常开', '吉祥如意'];
const stamp = (t: number) => `${String(Math.floor(t / 60)).padStart(2, '0')}:${(t % 60).toFixed(2).padStart(5, '0')}`;
const LRC = [
  '[ti:新春歌]',
  ...LINES.map((line, i) => {
    const start = 1.6 + i * 2.8;
    return `[${stamp(start)}]${[...line].map((ch, k) => `<${stamp(start + k * 0.6)}>${ch}`).join('')}<${stamp(start + 2.4)}>`;
  }),
].join('\n');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secs = (ms: number) => (ms / 1000).toFixed(2);

const dir = mkdtempSync(join(tmpdir(), 'shenbi-bench-video-'));
const capture = join(dir, 'capture');
mkdirSync(capture);
// An ffmpeg that records its wall and CPU time and keeps a copy of the composer's inputs for the replay.
const wrapper = join(dir, 'ffmpeg-timed.sh');
writeFileSync(
  wrapper,
  `#!/bin/bash
script=""; prev=""
for a in "$@"; do [ "$prev" = "-filter_complex_script" ] && script="$a"; prev="$a"; done
if [ -n "$script" ]; then rm -rf "${capture}/work"; cp -r "$(dirname "$script")" "${capture}/work"; printf '%s\\0' "$@" > "${capture}/args"; echo "$(dirname "$script")" > "${capture}/workdir"; fi
start=$(date +%s%3N); ffmpeg "$@"; rc=$?; end=$(date +%s%3N)
times > "${capture}/cpu"
[ -n "$script" ] && echo "$start $end $(tail -1 "${capture}/cpu")" >> "${capture}/times"
exit $rc
`,
);
chmodSync(wrapper, 0o755);

const song = join(dir, 'song.mp3');
// A stereo chord with a slow tremolo, as MP3 like the music.song step writes.
await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='0.2*sin(2*PI*262*t)*(0.6+0.4*sin(2*PI*2*t))+0.15*sin(2*PI*330*t)+0.1*sin(2*PI*392*t)|0.2*sin(2*PI*262*t)+0.15*sin(2*PI*330*t)*(0.6+0.4*sin(2*PI*3*t))':s=44100:d=${SECONDS}`, '-c:a', 'libmp3lame', '-b:a', '192k', song]);

process.env.SHENBI_FFMPEG = wrapper;
const shenbi = await Shenbi.open({ overrides: { home: join(dir, 'home') }, env: process.env });
/** The step alone, fed the song and its sheet as stored artifacts (as the lyric-video recipe does). */
const lyricOnly = (audio: string, lyricSheet: string): PipelineSpecInput => ({
  id: 'bench-lyric-video',
  title: 'Lyric video (bench)',
  steps: [{ id: 'video', uses: 'video.lyric', with: { audio, lyricSheet, aspect: '9:16', resolution: '720p', seed: 1 } }],
  outputs: { video: { $from: 'video.video' } },
});
const provenance = (round: number): Provenance => ({
  task: 'bench.input', inputs: { round }, engine: { id: 'bench', version: '1' }, model: null, parameters: {}, seed: 0, parents: [],
  timings: { startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 0 },
});

interface JobTiming { total: number; prepare: number; ffmpeg: number; store: number; cpu: number; video: string }
interface Timing { wall: number; cpu: number }

/** bash `times` children line ("0m5.120s 0m0.310s") → user + system ms. */
function cpuMs(line: string): number {
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
}

/** ffmpeg with `args`: wall time and the CPU time (user + system) it used. */
async function ffmpeg(args: string[]): Promise<Timing> {
  const t = Date.now();
  const { stdout } = await run('bash', ['-c', 'ffmpeg "$@" || exit $?; times', 'bash', ...args], { maxBuffer: 16 << 20 });
  return { wall: Date.now() - t, cpu: cpuMs(stdout.trim().split('\n').at(-1)!) };
}

/** The step as a job; a fresh copy of the song each round so the step cache cannot answer. */
async function job(round: number): Promise<JobTiming> {
  // The same sound, tagged with the round, so the step cache cannot answer.
  const tagged = join(dir, `song-${round}.mp3`);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', song, '-c', 'copy', '-metadata', `comment=round ${round}`, tagged]);
  const audio = (await shenbi.store.artifacts.put({ kind: 'audio', mimeType: 'audio/mpeg', bytes: readFileSync(tagged), provenance: provenance(round) })).id;
  const lyricSheet = (await shenbi.store.artifacts.put({ kind: 'text', mimeType: 'text/plain; charset=utf-8', bytes: Buffer.from(LRC), provenance: provenance(round) })).id;
  rmSync(join(capture, 'times'), { force: true });
  let stepStart = 0;
  let stepEnd = 0;
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const record = await shenbi.run(lyricOnly(audio, lyricSheet), {}, {
    onEvent: (event: JobEvent) => {
      if (event.type === 'step.started') stepStart = Date.now();
      if (event.type === 'step.completed') stepEnd = Date.now();
    },
  });
  const total = Date.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (record.status !== 'completed') throw new Error(`the lyric video failed: ${JSON.stringify(record.error)}`);
  const [start, end, ...children] = readFileSync(join(capture, 'times'), 'utf8').trim().split(' ');
  const ffmpegCpu = cpuMs(children.join(' '));
  const { artifact } = await shenbi.store.artifacts.read(String(record.outputs!.video));
  return { total, prepare: Number(start) - stepStart, ffmpeg: Number(end) - Number(start), store: stepEnd - Number(end), cpu: (cpu.user + cpu.system) / 1000 + ffmpegCpu, video: await shenbi.store.blobs.localPath(artifact.blobRef) };
}

/** The step's last ffmpeg command again, on a copy of its work folder. */
async function own(): Promise<Timing> {
  const original = readFileSync(join(capture, 'workdir'), 'utf8').trim();
  const replay = join(dir, 'replay');
  rmSync(replay, { recursive: true, force: true });
  cpSync(join(capture, 'work'), replay, { recursive: true });
  const swap = (s: string) => s.split(original).join(replay);
  writeFileSync(join(replay, 'filters.txt'), swap(readFileSync(join(replay, 'filters.txt'), 'utf8')));
  // The soundtrack sat in the step's own work folder: the same song.
  const args = readFileSync(join(capture, 'args'), 'utf8').split('\0').filter(Boolean).map(swap).map((a) => (a.endsWith('/song.audio') ? song : a));
  args[args.length - 1] = join(dir, 'own.mp4');
  return ffmpeg(args);
}

// The hand commands: the same scene plan (cut times, colours), the same lyric ASS (title
// included), the label's drawtext and the song. "gradient" paints each scene with the picture
// the step drew for it, read once; "colour" paints each scene's first colour (issue #23's anchor).
const songSeconds = (await probeMedia(song)).duration;
const lrc = parseLrc(LRC);
const { scenes, cues } = lyricScenes(lrc, songSeconds, 1);
const handAss = join(dir, 'hand.ass');
writeFileSync(handAss, lyricAss(cues, { width, height, title: lrc.tags.ti!, titleEnd: lrc.lines[0]!.start }));
const label = await createVideoLabeler(shenbi.config.labels).overlay({ width, height }, dir);

async function hand(background: 'gradient' | 'colour'): Promise<Timing> {
  const args = ['-v', 'error', '-y'];
  const graph: string[] = [];
  for (const [i, scene] of scenes.entries()) {
    const d = scene.duration.toFixed(3);
    if (background === 'gradient') {
      args.push('-i', join(capture, 'work', `scene-${i}.png`));
      graph.push(`[${i}:v]format=yuv420p,loop=loop=-1:size=1,setpts=N/${FPS}/TB,trim=duration=${d}[s${i}]`);
    } else {
      args.push('-f', 'lavfi', '-i', `color=c=0x${scene.colors![0]!.slice(1)}:s=${width}x${height}:r=${FPS}:d=${d}`);
      graph.push(`[${i}:v]format=yuv420p[s${i}]`);
    }
  }
  graph.push(`${scenes.map((_, i) => `[s${i}]`).join('')}concat=n=${scenes.length}:v=1:a=0,ass=filename=${handAss}${label ? `,${label.filter}` : ''}[out]`);
  args.push('-i', song, '-filter_complex', graph.join(';'), '-map', '[out]', '-map', `${scenes.length}:a:0`, '-c:a', 'aac', '-b:a', '160k', '-ar', '48000');
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-pix_fmt', 'yuv420p', '-r', String(FPS), '-t', songSeconds.toFixed(3), '-movflags', '+faststart', join(dir, `hand-${background}.mp4`));
  return ffmpeg(args);
}

async function ssim(a: string, b: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-i', a, '-i', b, '-lavfi', '[0:v][1:v]ssim', '-f', 'null', '-'], { maxBuffer: 16 << 20 });
  return /SSIM (.*)$/m.exec(stderr)?.[1] ?? '?';
}

try {
  console.log(`# bench:video — ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${SECONDS} s song, ${width}×${height} ${FPS} fps, ${LINES.length} lyric lines, ${ROUNDS} rounds`);
  await job(-1); // warm-up: fonts, label font, first-use costs
  const jobs: JobTiming[] = [];
  const owns: Timing[] = [];
  const gradients: Timing[] = [];
  const colours: Timing[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    jobs.push(await job(r));
    owns.push(await own());
    gradients.push(await hand('gradient'));
    colours.push(await hand('colour'));
  }
  // Wall time, then CPU time (user + system of Node and ffmpeg): on a busy host the CPU column is the steadier one.
  for (const key of ['wall', 'cpu'] as const) {
    const of = (xs: Timing[]) => xs.map((x) => x[key]);
    const total = jobs.map((j) => (key === 'wall' ? j.total : j.cpu));
    const [g, c] = [median(of(gradients)), median(of(colours))];
    const ratio = (xs: number[]) => `${(median(xs) / g).toFixed(2)}× / ${(median(xs) / c).toFixed(2)}×`;
    const row = (what: string, xs: number[]) => [what, secs(median(xs)), ratio(xs), xs.map(secs).join(' / ')];
    console.log(`\n${key === 'wall' ? 'wall time' : 'CPU time (user + system)'}:`);
    printTable(['what', 'median s', 'vs hand gradient / colour (target ≤ 1.2×)', 'rounds, s'], [
      row('video.lyric job (warm Shenbi, label)', total),
      row('its own ffmpeg command, replayed', of(owns)),
      row('hand ffmpeg: gradient pictures', of(gradients)),
      row('hand ffmpeg: flat colours', of(colours)),
    ]);
  }
  console.log('\nper stage (job, medians):');
  printTable(['stage', 's'], [
    ['prepare (inputs, probe, backgrounds, ASS)', secs(median(jobs.map((j) => j.prepare)))],
    ['ffmpeg (composer graph + label)', secs(median(jobs.map((j) => j.ffmpeg)))],
    ['store (read, hash, label record, write)', secs(median(jobs.map((j) => j.store)))],
    ['outside the step (submit, events)', secs(median(jobs.map((j) => j.total - j.prepare - j.ffmpeg - j.store)))],
  ]);
  const video = jobs.at(-1)!.video;
  console.log(`\nSSIM of the job's video (target ≥ 0.98): vs hand gradient ${await ssim(video, join(dir, 'hand-gradient.mp4'))}`);
  console.log(`                                       vs hand colour   ${await ssim(video, join(dir, 'hand-colour.mp4'))} (a flat colour is not the design)`);
} finally {
  await shenbi.close();
  if (process.env.KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
