import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

test('`shenbi generate motion "walk forward 3 meters, turn left 90 degrees, then wave the right hand" --set format=bvh` on a fresh home (no models): a labeled BVH and its plan', { timeout: 180_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-motion-cli-'));
  try {
    const result = await runCli(['generate', 'motion', 'walk forward 3 meters, turn left 90 degrees, then wave the right hand', '--set', 'format=bvh'], { home });
    assert.equal(result.status, 0, result.stderr);
    // Each artifact is printed with its id, MIME type and the file it is stored in.
    const motion = /motion: (art_\w+)\s+application\/x-bvh.*\n\s+(\S+)/.exec(result.stdout);
    assert.ok(motion, result.stdout);
    assert.match(result.stdout, /plan: art_\w+\s+application\/json/);
    const bvh = await readFile(motion[2]!, 'utf8');
    assert.match(bvh, /HIERARCHY[\s\S]*ROOT Hips[\s\S]*MOTION\s+Frames:\s+\d+\s+Frame Time:\s+0\.0333/);
    assert.match(bvh, /人工智能生成|AIGC/, 'the BVH carries the AI label');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
