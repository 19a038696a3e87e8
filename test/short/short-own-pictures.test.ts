import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { Shenbi } from '../../src/shenbi.ts';

/**
 * Your own pictures in a short: a file given for the first scene is what that scene shows
 * (read through the media rules, not copied into the store as if generated, not a parent).
 */
test('a short with my own picture for scene 1: the scene shows it; the other scene is a card; the picture is no parent', async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-short-own-'));
  const shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [home] } });
  try {
    const mine = join(home, 'green.png');
    await sharp({ create: { width: 720, height: 1280, channels: 3, background: '#10e040' } }).png().toFile(mine);
    const job = await shenbi.run('short', { script: 'Green\nThe field is green today.\nThen the rain came.', pictures: [mine], music: 'none' });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const video = await shenbi.store.artifacts.read(job.outputs!.video as string);
    assert.ok(!video.artifact.provenance.parents.some((p) => !p.startsWith('art_')), 'only stored artifacts are parents');
    const path = join(home, 'short.mp4');
    await writeFile(path, video.bytes);
    const timeline = (await shenbi.store.jobs.steps(job.id)).find((s) => s.stepId === 'short')!.outputs!.timeline as { scenes: { start: number; end: number }[] };
    const first = timeline.scenes[0]!;
    const at = ((first.start + first.end) / 2).toFixed(2);
    const rgb = execFileSync('ffmpeg', ['-v', 'error', '-ss', at, '-i', path, '-frames:v', '1', '-vf', 'crop=200:200:260:300,scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    assert.ok(rgb[1]! > 150 && rgb[0]! < 90 && rgb[2]! < 110, `scene 1 shows the green picture (mean ${[...rgb].join(',')})`);
  } finally {
    await shenbi.close();
    await rm(home, { recursive: true, force: true });
  }
});
