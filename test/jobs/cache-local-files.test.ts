import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { Shenbi } from '../../src/shenbi.ts';

/**
 * The step cache keys a local file by its size and modification time, not only its path: run
 * a pipeline on me.png, edit me.png, run again — a new result, not the old picture's.
 */
test('a local file edited between two runs is not served the cached result of the old file; an unchanged one is', async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-cache-files-'));
  const picture = join(home, 'me.png');
  const shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [home] } });
  const spec = { id: 'shrink', title: 'shrink', steps: [{ id: 'edit', uses: 'image.edit', with: { operation: 'resize', image: picture, width: 32, height: 32 } }], outputs: { image: { $from: 'edit.image' } } };
  const status = async (jobId: string) => (await shenbi.store.jobs.steps(jobId))[0]!.status;
  const pixel = async (id: string) => (await sharp((await shenbi.store.artifacts.read(id)).bytes).raw().toBuffer())[0];
  try {
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff0000' } }).png().toFile(picture);
    const first = await shenbi.run(spec, {});
    assert.equal(first.status, 'completed', JSON.stringify(first.error));
    const again = await shenbi.run(spec, {});
    assert.equal(await status(again.id), 'cached', 'unchanged file: cached');

    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0000ff' } }).png().toFile(picture);
    // Even an edit within the same second as the first write is a different size or time here; make the time differ for sure.
    await utimes(picture, new Date(), new Date(Date.now() + 5_000));
    const edited = await shenbi.run(spec, {});
    assert.equal(await status(edited.id), 'completed', 'edited file: run again');
    assert.equal(await pixel(first.outputs!.image as string), 255, 'the first result is red');
    assert.equal(await pixel(edited.outputs!.image as string), 0, 'the new result is made from the blue picture');
  } finally {
    await shenbi.close();
    await rm(home, { recursive: true, force: true });
  }
});
