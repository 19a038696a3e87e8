/**
 * Idea-to-short benchmark (issue #21): the whole `short` pipeline making a ~60 s 9:16 720p
 * short, offline, stage by stage (script, pictures, narration, bed, effects, mix, encode,
 * storing, cover), with
 *  1. a scripted fake text model (a 127.0.0.1 server speaking the OpenAI protocol, answering a
 *     fixed 10-scene script) — target ≤ 120 s on 2 cores;
 *  2. stories260K (a 260K-parameter GGUF) through the real llama.cpp engine: it cannot write a
 *     valid script; what happens is printed (the error and its hint, or a fallback);
 *  3. the final encode against one hand-written ffmpeg command making the same composition
 *     (the same card pictures, zoompan Ken Burns, cross-fades, ASS captions/subtitles/title,
 *     AI label and soundtrack, same x264/AAC settings): composeVideo's wall time over the
 *     command's, best of RUNS each, alternating — target ≤ 1.2.
 * Stage times come from the job's progress events (each stage ends where the next begins).
 * Run: npm run bench:short   (RUNS=n for the encode comparison, default 2)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cueTime, type ShortScriptInput } from '../src/engines/short/short-script.ts';
import { composeVideo } from '../src/engines/video/compose-video.ts';
import { narrationAss } from '../src/engines/video/narration-ass.ts';
import { frameSize, type SceneInput } from '../src/engines/video/timeline.ts';
import { createVideoLabeler } from '../src/governance/explicit/video-labeler.ts';
import { parseSrt } from '../src/media/subtitles/index.ts';
import { shortPipeline } from '../src/pipelines/recipes/short.ts';
import { clipDurations, CROSS_FADE_SECONDS } from '../src/pipelines/steps/short/short-timeline.ts';
import { withTitleCard } from '../src/pipelines/steps/short/title-card.ts';
import { Shenbi } from '../src/shenbi.ts';
import type { JobEvent } from '../src/core/progress.ts';
import { openAIChat, startFakeServer } from '../test/helpers/fake-providers.ts';
import { TESTDATA } from '../test/helpers/testdata.ts';

const run = promisify(execFile);
const RUNS = Math.max(1, Number(process.env.RUNS ?? 2));
const FPS = 25;
const MOTIONS = ['zoom-in', 'pan-right', 'zoom-out', 'pan-left'] as const;

const SCRIPT: ShortScriptInput = {
  title: 'A Day at the Harbour',
  mood: 'warm',
  language: 'en',
  scenes: [
    ['Before sunrise the fishing boats slip out of the harbour one by one, their old engines humming softly in the dark.', 'whoosh', 'start'],
    ['Hungry gulls follow the little boats and wait for their breakfast above the cold grey water of the quiet bay.', 'wind', 'middle'],
    ['Up in the market the first wooden stalls open and the sellers shout the prices of the morning catch.', 'crowd', 'start'],
    ['A young baker carries warm fresh bread down the hill, and the smell fills the narrow streets of the town.', 'footsteps', 'middle'],
    ['At noon the sun is high, and laughing children jump from the pier and splash into the clear blue sea.', 'pop', 'end'],
    ['An old sailor with a white beard mends his nets in the shade and tells stories to anyone who stops to listen.', 'typing', 'start'],
    ['In the afternoon dark clouds gather quickly, and a summer storm rolls in fast from the west.', 'thunder', 'start'],
    ['Heavy rain drums on the tiled roofs while the boats hurry home through the rising grey waves.', 'rain', 'start'],
    ['By evening the summer storm has passed, and the harbour bell rings as the very last boat arrives.', 'bell', 'middle'],
    ['Everyone in town gathers on the quay to cheer the fishermen home, and the long day ends in golden light.', 'applause', 'end'],
  ].map(([narration, effect, at], i) => ({ narration: narration!, caption: `Scene ${i + 1}`, visual: narration!, sounds: [{ effect: effect as 'pop', at: at as 'start' }] })),
};

/** Seconds from the first event to each stage's first progress message. */
function stageClock(): { onEvent: (event: JobEvent) => void; marks: Map<string, number>; start: number } {
  const marks = new Map<string, number>();
  const start = performance.now();
  const mark = (name: string) => { if (!marks.has(name)) marks.set(name, (performance.now() - start) / 1000); };
  return {
    start,
    marks,
    onEvent: (event) => {
      if (event.type === 'step.started') mark(event.stepId);
      if (event.type !== 'step.progress' || event.stepId !== 'short' || !event.message) return;
      const m = event.message;
      if (m.startsWith('narrating')) mark('narration');
      else if (m === 'composing the music bed' || m === 'preparing the music') mark('bed');
      else if (m.startsWith('placing')) mark('effects');
      else if (m === 'mixing') mark('mix');
      else if (m === 'encoding') mark('encode');
      else if (m === 'storing the video') mark('store');
      else if (m === 'choosing the cover') mark('cover');
    },
  };
}

function printStages(marks: Map<string, number>, total: number): void {
  const order = ['script', 'pictures', 'narration', 'bed', 'effects', 'mix', 'encode', 'store', 'cover'];
  const present = order.filter((name) => marks.has(name));
  const rows = present.map((name, i) => [name, (i + 1 < present.length ? marks.get(present[i + 1]!)! : total) - marks.get(name)!] as const);
  console.log(rows.map(([name, s]) => `  ${name.padEnd(10)} ${s.toFixed(1).padStart(6)} s`).join('\n'));
}

const dir = mkdtempSync(join(tmpdir(), 'shenbi-bench-short-'));
const server = await startFakeServer((req, res) => openAIChat(res, 'script-writer', JSON.stringify(SCRIPT)));
process.env.BENCH_SHORT_KEY = 'sk-bench';
const shenbi = await Shenbi.open({ overrides: { home: join(dir, 'home'), mediaRoots: [dir, TESTDATA], providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'BENCH_SHORT_KEY' }] }, env: process.env });
try {
  console.log(`# bench:short — ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // 1. The fake text model.
  const clock = stageClock();
  const job = await shenbi.run(shortPipeline, { idea: 'A day in a small fishing harbour', duration: 60, language: 'en', model: 'fake:script-writer', seed: 1 }, { onEvent: clock.onEvent });
  const total = (performance.now() - clock.start) / 1000;
  if (job.status !== 'completed') throw new Error(`the short failed: ${JSON.stringify(job.error)}`);
  const steps = await shenbi.store.jobs.steps(job.id);
  const short = steps.find((s) => s.stepId === 'short')!.outputs as { duration: number; timeline: { scenes: { start: number; end: number }[]; titleCard: { start: number; end: number } | null }; loudness: { finalLufs: number } };
  console.log(`\n1. fake text model: a ${short.duration.toFixed(1)} s 9:16 720p short in ${total.toFixed(1)} s (target ≤ 120 s), ${short.timeline.scenes.length} scenes, ${short.loudness.finalLufs} LUFS`);
  printStages(clock.marks, total);

  // 2. stories260K through llama.cpp.
  await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
  const tiny = stageClock();
  const tinyJob = await shenbi.run(shortPipeline, { idea: 'A day in a small fishing harbour', duration: 60, language: 'en', model: 'stories260k', seed: 1 }, { onEvent: tiny.onEvent });
  const tinyTotal = (performance.now() - tiny.start) / 1000;
  console.log(`\n2. stories260K: ${tinyJob.status} after ${tinyTotal.toFixed(1)} s`);
  if (tinyJob.status === 'completed') printStages(tiny.marks, tinyTotal);
  else console.log(`  ${tinyJob.error?.code}: ${tinyJob.error?.message.split('\n').slice(0, 3).join(' / ')}\n  hint: ${(tinyJob.error as { hint?: string } | null)?.hint ?? '(none)'}`);

  // 3. The final encode: composeVideo against one hand-written ffmpeg command, same inputs.
  const pictureIds = (steps.find((s) => s.stepId === 'pictures')!.outputs!.pictures as { artifact: string }[]).map((p) => p.artifact);
  const script = steps.find((s) => s.stepId === 'script')!.outputs!.script as ShortScriptInput;
  const files: string[] = [];
  for (const [i, id] of pictureIds.entries()) {
    const { bytes } = await shenbi.store.artifacts.read(id);
    files.push(join(dir, `picture-${i}.png`));
    writeFileSync(files[i]!, bytes);
  }
  const { artifact: video } = await shenbi.store.artifacts.read(String(job.outputs!.video));
  const audio = join(dir, 'soundtrack.wav');
  await run('ffmpeg', ['-v', 'error', '-y', '-i', (await shenbi.store.blobs.localPath(video.blobRef)), '-vn', '-ac', '1', '-ar', '48000', audio]);
  const { width, height } = frameSize('9:16', '720p');
  const srt = parseSrt((await shenbi.store.artifacts.read(String(job.outputs!.subtitles))).bytes.toString('utf8')).filter((c) => !c.lines.join(' ').includes('人工智能生成'));
  const { scenes: spans, titleCard } = short.timeline;
  const captions = (script.scenes ?? []).map((s, i) => ({ text: s.caption ?? '', start: spans[i]!.start, end: spans[i]!.end }));
  const ass = withTitleCard(narrationAss(captions, srt, { width, height }), script.title, titleCard ?? { start: 0, end: 2 }, { width, height });
  const assPath = join(dir, 'short.ass');
  writeFileSync(assPath, ass);
  const all = titleCard === null ? spans : [titleCard, ...spans];
  const lengths = clipDurations(all, CROSS_FADE_SECONDS);
  const pictureOf = (i: number) => files[Math.max(0, titleCard === null ? i : i - 1) % files.length]!;
  const scenes: SceneInput[] = lengths.map((duration, i) => ({ duration, image: pictureOf(i), motion: MOTIONS[i % MOTIONS.length]! }));
  const labeler = createVideoLabeler(shenbi.config.labels);
  const label = await labeler.overlay({ width, height }, dir);

  const composed = async () => {
    const t = performance.now();
    await composeVideo({ aspect: '9:16', resolution: '720p', scenes, transition: CROSS_FADE_SECONDS, audio, ass }, { output: join(dir, 'composed.mp4'), overlay: async () => label?.filter });
    return (performance.now() - t) / 1000;
  };
  const handWritten = async () => {
    const args = ['-v', 'error', '-y'];
    const graph: string[] = [];
    for (const [i, duration] of lengths.entries()) {
      args.push('-loop', '1', '-framerate', String(FPS), '-t', duration.toFixed(3), '-i', pictureOf(i));
      const n = Math.max(1, Math.round(duration * FPS) - 1);
      const motion = [`z='1+0.12*on/${n}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'`, `z='1.12':x='(iw-iw/zoom)*on/${n}':y='ih/2-(ih/zoom/2)'`, `z='1.12-0.12*on/${n}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'`, `z='1.12':x='(iw-iw/zoom)*(1-on/${n})':y='ih/2-(ih/zoom/2)'`][i % 4];
      graph.push(`[${i}:v]scale=${width}:${height},zoompan=${motion}:d=1:s=${width}x${height}:fps=${FPS},setsar=1,format=yuv420p,trim=duration=${duration.toFixed(3)},setpts=PTS-STARTPTS[s${i}]`);
    }
    let last = 's0';
    let offset = 0;
    for (let i = 1; i < lengths.length; i++) {
      offset += lengths[i - 1]! - CROSS_FADE_SECONDS;
      graph.push(`[${last}][s${i}]xfade=transition=fade:duration=${CROSS_FADE_SECONDS}:offset=${offset.toFixed(3)}[x${i}]`);
      last = `x${i}`;
    }
    graph.push(`[${last}]ass=filename=${assPath}${label ? `,${label.filter}` : ''}[out]`);
    const end = all.at(-1)!.end;
    args.push('-i', audio, '-filter_complex', graph.join(';'), '-map', '[out]', '-map', `${lengths.length}:a:0`, '-c:a', 'aac', '-b:a', '160k', '-ar', '48000');
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-pix_fmt', 'yuv420p', '-r', String(FPS), '-t', end.toFixed(3), '-movflags', '+faststart', join(dir, 'hand.mp4'));
    const t = performance.now();
    await run('ffmpeg', args, { maxBuffer: 16 * 1024 * 1024 });
    return (performance.now() - t) / 1000;
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    ours.push(await composed());
    theirs.push(await handWritten());
  }
  const [a, b] = [Math.min(...ours), Math.min(...theirs)];
  console.log(`\n3. final encode (${short.duration.toFixed(1)} s, ${lengths.length} pictures): composeVideo ${a.toFixed(1)} s, hand-written ffmpeg ${b.toFixed(1)} s — ratio ${(a / b).toFixed(2)} (target ≤ 1.2; best of ${RUNS}: ${ours.map((s) => s.toFixed(1)).join('/')} vs ${theirs.map((s) => s.toFixed(1)).join('/')})`);
  const expectedCues = (script.scenes ?? []).flatMap((s, i) => (s.sounds ?? []).map((c) => cueTime(spans[i]!, c.at ?? 'start')));
  console.log(`   (${expectedCues.length} effect cues; in the pipeline the encode stage took ${((clock.marks.get('store') ?? 0) - (clock.marks.get('encode') ?? 0)).toFixed(1)} s)`);
} finally {
  delete process.env.BENCH_SHORT_KEY;
  await shenbi.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
