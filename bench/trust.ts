/**
 * Trust benchmark, one run (issues #8, #23): what labeling costs, with a per-stage profile.
 *   1. A 1080p PNG through the whole governance chain as every artifact takes it — explicit
 *      mark, implicit AIGC/IPTC metadata, C2PA signature. Target ≤ 150 ms (median, warm).
 *   2. A 60 s MP4: the composer's encode with the AI label drawn in that same encode, plus
 *      the implicit label and C2PA signature, as a share of the plain encode. Target ≤ 5 %.
 *      Plain and labeled encodes alternate (ROUNDS each, medians), but two 8 s encodes differ
 *      by more than the label costs (runs here ranged −278 to +192 ms), so the label's share
 *      is its filter's own cost: the same source through the same filter chain to `-f null`
 *      with and without the label (FILTER_ROUNDS alternating, medians), a CPU-bound pass
 *      with no encoder to overlap it (an upper bound). Both figures are printed. For
 *      comparison, the cost of labeling a finished video after the fact (a second encode).
 * Each stage's median is printed under its row: the governance hooks as they run in the
 * chain (moderation, explicit, implicit, C2PA) and, inside the implicit stage, the ProduceID
 * hash over the whole file.
 * Run: npm run bench:trust   (RUNS=5 for the PNG runs; ROUNDS=3, SECONDS=60, HEIGHT=720 for the video)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../src/config/load.ts';
import type { Provenance } from '../src/core/provenance.ts';
import { labelVideo } from '../src/governance/explicit/video.ts';
import { createVideoLabeler } from '../src/governance/explicit/video-labeler.ts';
import type { ArtifactCandidate } from '../src/governance/hook.ts';
import { Moderator } from '../src/governance/moderation/index.ts';
import { governancePolicy } from '../src/governance/policy.ts';
import { produceIdFor } from '../src/governance/produce-id.ts';

const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
const RUNS = Number(process.env.RUNS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 60);
const HEIGHT = Number(process.env.HEIGHT ?? 720);
const WIDTH = Math.round((HEIGHT * 16) / 9 / 2) * 2;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'shenbi-bench-trust-'));
const config = loadConfig({ overrides: { home: dir } });
let stages = new Map<string, number[]>();
const onStage = (hook: string, ms: number) => stages.set(hook, [...(stages.get(hook) ?? []), ms]);
const policy = governancePolicy(config, { moderator: new Moderator(config.moderation), log: () => {}, onStage });
/** One row per stage (median over the runs just made), then a fresh tally. */
const profileRows = (bytes: Uint8Array, mimeType: string): string[][] => {
  const hash: number[] = [];
  for (let i = 0; i < 3; i++) hash.push(timeSync(() => produceIdFor(bytes, mimeType, config.producer)));
  const rows = [...stages].map(([hook, ms]) => [`    stage ${hook}`, '', `${median(ms).toFixed(1)} ms`, '', '']);
  rows.push(['      of which the ProduceID hash (sha256, whole file)', '', `${median(hash).toFixed(1)} ms`, '', '']);
  stages = new Map();
  return rows;
};
const timeSync = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

const provenance: Provenance = {
  task: 'bench',
  inputs: { prompt: 'a lantern festival' },
  engine: { id: 'bench', version: '1' },
  model: null,
  parameters: {},
  seed: 1,
  parents: [],
  timings: { startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 0 },
};
let serial = 0;
const candidate = (bytes: Uint8Array, mimeType: string, kind: ArtifactCandidate['kind'], extra: Partial<ArtifactCandidate> = {}): ArtifactCandidate => ({
  id: `art_bench${String(serial++).padStart(20, '0')}`,
  kind,
  mimeType,
  bytes,
  name: null,
  provenance,
  ...extra,
});
const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

// 1. 1080p PNGs: a designed picture (smooth gradients, what generators mostly produce) and
//    the worst case for PNG, per-pixel noise (~6 MB).
const gradient = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#224466' } })
  .composite([{ input: Buffer.from(`<svg width="1920" height="1080"><defs><linearGradient id="g"><stop offset="0" stop-color="#c33"/><stop offset="1" stop-color="#fc6"/></linearGradient></defs><rect width="1920" height="1080" fill="url(#g)"/><circle cx="960" cy="540" r="300" fill="#fff" fill-opacity="0.3"/></svg>`) }])
  .png()
  .toBuffer();
const noise = await sharp(randomBytes(1920 * 1080 * 3), { raw: { width: 1920, height: 1080, channels: 3 } })
  .png()
  .toBuffer();
// Keys, fonts, wasm and the signing worker: once per process, as in a warm server.
await policy.review(candidate(gradient, 'image/png', 'image'));
for (let i = 0; i < 3; i++) await policy.review(candidate(noise, 'image/png', 'image'));
stages = new Map();
const rows: string[][] = [];
for (const [name, png] of [['1080p PNG, designed', gradient], ['1080p PNG, noise (worst case)', noise]] as const) {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await time(() => policy.review(candidate(png, 'image/png', 'image'))));
  const ms = median(runs);
  rows.push([name, `${(png.length / 1e6).toFixed(2)} MB`, `${ms.toFixed(0)} ms`, '≤ 150 ms', ms <= 150 ? 'met' : 'MISSED']);
  rows.push(...profileRows(png, 'image/png'));
}

// 2. A 60 s MP4 the way Shenbi's composer encodes it (libx264 veryfast crf 22, AAC).
const encode = (output: string, filter: string | undefined) =>
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=25:duration=${SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`,
    ...(filter ? ['-vf', filter] : []),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '160k', '-movflags', '+faststart', output,
  ]);
const plainPath = join(dir, 'plain.mp4');
const labeledPath = join(dir, 'labeled.mp4');
const drawn = (await createVideoLabeler(config.labels).overlay({ width: WIDTH, height: HEIGHT }, dir))!;
// The label's own cost: the filter pass alone, with and without it (no encoder to hide it, little noise).
const FILTER_ROUNDS = Math.max(3, Number(process.env.FILTER_ROUNDS ?? 5));
const filterPass = (filter: string | undefined) =>
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=25:duration=${SECONDS}`, ...(filter ? ['-vf', filter] : []), '-pix_fmt', 'yuv420p', '-f', 'null', '-']);
const plainPasses: number[] = [];
const drawnPasses: number[] = [];
for (let i = 0; i < FILTER_ROUNDS; i++) {
  plainPasses.push(await time(async () => filterPass(undefined)));
  drawnPasses.push(await time(async () => filterPass(drawn.filter)));
}
const filterCost = median(drawnPasses) - median(plainPasses);
// A 60 s encode varies by more than the label costs: alternate, ROUNDS each, medians (printed, not used for the share).
const plainRuns: number[] = [];
const drawnRuns: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  plainRuns.push(await time(async () => encode(plainPath, undefined)));
  drawnRuns.push(await time(async () => encode(labeledPath, drawn.filter)));
}
const plainMs = median(plainRuns);
const drawnMs = median(drawnRuns);
const labeled = readFileSync(labeledPath);
const hookRuns: number[] = [];
let signedBytes = 0;
for (let i = 0; i < ROUNDS; i++) {
  hookRuns.push(
    await time(async () => {
      const decision = await policy.review(candidate(labeled, 'video/mp4', 'video', { explicitLabel: drawn.record }));
      signedBytes = decision.bytes.length;
    }),
  );
}
const hookMs = median(hookRuns);
const share = (Math.max(0, filterCost) + hookMs) / plainMs;
const drawCost = drawnMs - plainMs;
rows.push([`${SECONDS} s ${HEIGHT}p MP4: label drawn in the encode (its filter alone, ${FILTER_ROUNDS} rounds)`, '', `${filterCost >= 0 ? '+' : ''}${filterCost.toFixed(0)} ms`, '', '']);
rows.push([`    whole encodes with and without it (${ROUNDS} rounds; noise)`, '', `${drawCost >= 0 ? '+' : ''}${drawCost.toFixed(0)} ms`, '', '']);
rows.push([`${SECONDS} s ${HEIGHT}p MP4: implicit label + C2PA`, `${(signedBytes / 1e6).toFixed(1)} MB`, `${hookMs.toFixed(0)} ms`, '', '']);
rows.push(...profileRows(labeled, 'video/mp4'));
rows.push([`${SECONDS} s ${HEIGHT}p MP4: total vs its ${(plainMs / 1000).toFixed(1)} s encode`, '', `${(share * 100).toFixed(1)} %`, '≤ 5 %', share <= 0.05 ? 'met' : 'MISSED']);
const afterMs = await time(() => labelVideo(readFileSync(plainPath), { wording: 'AI生成', corner: 'top-left', inkRatio: 0.06, seconds: 2.5, persistent: false }));
rows.push(['(for comparison) labeling a finished video: a second encode', '', `${((afterMs / plainMs) * 100).toFixed(0)} %`, '', '']);

console.log(`load before: ${loadBefore}; after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const header = ['measure', 'size', 'time', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
rmSync(dir, { recursive: true, force: true });
