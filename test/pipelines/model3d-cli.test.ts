import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

test('`shenbi generate 3d "一盏红灯笼"` on a fresh home (no models): a labeled GLB and its scene program', { timeout: 180_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-3d-cli-'));
  try {
    const result = await runCli(['generate', '3d', '一盏红灯笼', '--set', 'thumbnail=false'], { home });
    assert.equal(result.status, 0, result.stderr);
    // Each artifact is printed with its id, MIME type and the file it is stored in.
    const model = /model: (art_\w+)\s+model\/gltf-binary.*\n\s+(\S+)/.exec(result.stdout);
    assert.ok(model, result.stdout);
    assert.match(result.stdout, /program: art_\w+\s+application\/json/);
    const glb = await readFile(model[2]!);
    assert.equal(glb.readUInt32LE(0), 0x46546c67, 'a GLB file');
    const json = JSON.parse(glb.toString('utf8', 20, 20 + glb.readUInt32LE(12))) as { asset: { extras?: { aigcExplicitLabel?: { text: string } } } };
    assert.match(json.asset.extras?.aigcExplicitLabel?.text ?? '', /人工智能生成/);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
