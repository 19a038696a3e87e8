import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobEvent } from '../../src/core/progress.ts';
import { toPortrait } from '../../src/engines/video/reframe.ts';
import { rankCoverFrames } from '../../src/engines/video/smart-cover.ts';
import { Shenbi } from '../../src/shenbi.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-progress-'));
const clip = join(dir, 'landscape.mp4');
let shenbi: Shenbi | undefined;

before(async () => {
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=3', '-pix_fmt', 'yuv420p', clip]);
  shenbi = await Shenbi.open({ overrides: { home: join(dir, 'home'), mediaRoots: [dir] } });
});
after(async () => {
  await shenbi?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the smart cover reports progress per scored frame, not only at the end', async () => {
  const seen: number[] = [];
  await rankCoverFrames(clip, { candidates: 12, onProgress: (fraction) => seen.push(fraction) });
  assert.equal(seen.length, 12);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'fractions only grow');
  assert.equal(seen.at(-1), 1);
});

test('portrait (follow) reports progress while it analyses the motion, before ffmpeg starts encoding', async () => {
  const output = join(dir, 'portrait.mp4');
  const reports: { fraction: number; encoding: boolean }[] = [];
  await toPortrait(clip, {
    output,
    mode: 'follow',
    // ffmpeg writes a `.partial` temp file beside the output while it encodes.
    onProgress: (fraction) => reports.push({ fraction, encoding: readdirSync(dir).some((name) => name.includes('.partial')) }),
  });
  const analysing = reports.filter((r) => !r.encoding);
  // 3 s sampled 4 times a second: 13 frames, each reported.
  assert.ok(analysing.length >= 12, `${analysing.length} reports before encoding: ${JSON.stringify(reports.slice(0, 5))}`);
  assert.ok(analysing.every((r) => r.fraction > 0 && r.fraction <= 0.5));
  const fractions = reports.map((r) => r.fraction);
  assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), 'fractions only grow');
});

test('a cover job streams step.progress events keyed by step type (the studio translates by it)', async () => {
  const events: JobEvent[] = [];
  const job = await shenbi!.generate('video', { source: clip, operation: 'cover' }, { onEvent: (event) => events.push(event) });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const progress = events.filter((e): e is Extract<JobEvent, { type: 'step.progress' }> => e.type === 'step.progress');
  assert.ok(progress.length >= 10, `${progress.length} progress events`);
  assert.ok(progress.every((e) => e.stepType === 'video.cover'), JSON.stringify(progress[0]));
  assert.ok(progress.some((e) => e.fraction !== null && e.fraction > 0 && e.fraction < 0.9), 'progress between start and end');
});
