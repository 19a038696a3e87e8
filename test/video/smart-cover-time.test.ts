import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { rankCoverFrames, renderCover } from '../../src/engines/video/smart-cover.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-cover-time-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the smart cover's reported time lies inside the frame it shows (not up to a frame before it)", async () => {
  // Every frame is its own segment: its colour spells its number (red = 10 × (n mod 25), green = 10 × ⌊n / 25⌋).
  const video = join(dir, 'numbered.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', "color=black:s=64x64:r=25:d=10,format=gbrp,geq=r='10*mod(N\\,25)':g='10*floor(N/25)':b=0", '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '1', video]);
  const ranked = await rankCoverFrames(video, { candidates: 12 });
  assert.equal(ranked.length, 12);
  for (const { time } of ranked) {
    const { data } = await sharp(await renderCover(video, time, { width: 64 })).raw().toBuffer({ resolveWithObject: true });
    const frame = Math.round(data[3 * (32 * 64 + 32) + 1]! / 10) * 25 + Math.round(data[3 * (32 * 64 + 32)]! / 10);
    assert.ok(time >= frame / 25 - 1e-6 && time < (frame + 1) / 25, `reported ${time.toFixed(4)} s, but the cover shows frame ${frame} (${(frame / 25).toFixed(2)}–${((frame + 1) / 25).toFixed(2)} s)`);
  }
});
