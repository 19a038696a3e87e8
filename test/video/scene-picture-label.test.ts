import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { scenePictureFile } from '../../src/pipelines/steps/video/scene-pictures.ts';
import { Shenbi } from '../../src/shenbi.ts';

/**
 * A stored picture used as a scene: its own explicit AI label (drawn in a corner when it was
 * stored) is trimmed off, so it does not pan half out of frame in the composed video, which
 * carries its own label.
 */
test('a labeled picture becomes a scene without the band holding its own corner label', async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-scene-label-'));
  const shenbi = await Shenbi.open({ overrides: { home } });
  try {
    const job = await shenbi.run({ id: 'card', title: 'card', steps: [{ id: 'card', uses: 'image.card', with: { title: '雨中的城市', text: '下雨了', seed: 4 } }], outputs: { image: { $from: 'card.image' } } }, {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const id = job.outputs!.image as string;
    const { artifact, bytes } = await shenbi.store.artifacts.read(id);
    const label = artifact.labels.find((l) => l.type === 'aigc-explicit');
    const box = (label?.value as { box?: { top: number; height: number } } | undefined)?.box;
    assert.ok(box !== undefined, 'the stored card records where its label is');
    const original = await sharp(bytes).metadata();
    const scene = await scenePictureFile({ readArtifact: (ref) => shenbi.store.artifacts.read(ref) }, id, home, 0);
    assert.ok('image' in scene);
    const trimmed = await sharp(await readFile(scene.image)).metadata();
    assert.equal(trimmed.width, original.width);
    const below = box.top + box.height / 2 > original.height! / 2;
    assert.ok(below ? trimmed.height! <= box.top : trimmed.height! <= original.height! - box.top - box.height, `trimmed to ${trimmed.height} of ${original.height}; label at ${box.top}+${box.height}`);
    assert.ok(trimmed.height! >= original.height! * 0.8, 'only the label band is trimmed');
  } finally {
    await shenbi.close();
    await rm(home, { recursive: true, force: true });
  }
});
