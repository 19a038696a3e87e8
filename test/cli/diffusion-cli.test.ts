import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { writeTinySd } from '../fixtures/diffusion/build-tiny-sd.ts';
import { runCli } from '../helpers/cli.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-diffusion-cli-'));
after(() => rmSync(home, { recursive: true, force: true }));

interface RunJson {
  job: { status: string; outputs: Record<string, unknown> };
  artifacts: { path: string; mimeType: string; labels: { type: string }[] }[];
}

test('generate image with an installed local diffusion model: labeled PNGs of the asked size, reproducible by seed', async () => {
  await writeTinySd(join(home, 'models', 'tiny-sd'));
  const args = ['--json', 'generate', 'image', 'a photo of a red cat', '--set', 'model=tiny-sd', '--set', 'width=256', '--set', 'height=320', '--set', 'seed=11', '--set', 'count=2', '--set', 'steps=2'];
  const r = await runCli(args, { home });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunJson;
  assert.equal(out.job.status, 'completed');
  assert.equal(out.artifacts.length, 2);
  const bytes = out.artifacts.map((a) => readFileSync(a.path));
  for (const [i, a] of out.artifacts.entries()) {
    const meta = await sharp(bytes[i]).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 256, 320]);
    assert.ok(a.labels.some((l) => l.type.startsWith('aigc')));
  }
  assert.ok(!bytes[0]!.equals(bytes[1]!), 'image 2 uses seed + 1');
});
