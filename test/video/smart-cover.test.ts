import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { rankCoverFrames, renderCover } from '../../src/engines/video/smart-cover.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-cover-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the smart cover picks the sharp frame over blurred ones, and draws the title', async () => {
  const clip = join(dir, 'mostly-blurred.mp4');
  // A test pattern, blurred everywhere except between 2 s and 3 s.
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=6', '-vf', "boxblur=12:enable='not(between(t,2,3))'", '-pix_fmt', 'yuv420p', clip]);
  const ranked = await rankCoverFrames(clip, { candidates: 24 });
  assert.ok(ranked[0]!.time >= 2 && ranked[0]!.time <= 3, `best frame at ${ranked[0]!.time.toFixed(2)} s`);
  assert.ok(ranked[0]!.sharpness > 3 * ranked.at(-1)!.sharpness);
  const plain = await renderCover(clip, ranked[0]!.time);
  const titled = await renderCover(clip, ranked[0]!.time, { title: '新年快乐' });
  const meta = await sharp(titled).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1280, 720]);
  // The title band changes the lower third, not the top.
  const region = async (jpeg: Buffer, top: number) => sharp(jpeg).extract({ left: 0, top, width: 1280, height: 100 }).raw().toBuffer();
  const diff = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
  assert.ok(diff(await region(plain, 580), await region(titled, 580)) > 10);
  assert.ok(diff(await region(plain, 0), await region(titled, 0)) < 3);
});

test('a file that is not a video is MEDIA_INVALID', async () => {
  const bad = join(dir, 'bad.mp4');
  writeFileSync(bad, 'not a video');
  await assert.rejects(rankCoverFrames(bad), (e: unknown) => e instanceof ShenbiError && e.code === 'MEDIA_INVALID');
});
