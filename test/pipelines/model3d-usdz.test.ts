import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readImplicitLabels } from '../../src/governance/implicit/index.ts';
import { readUsdz, zipLayout } from '../../src/media/usdz/usdz-package.ts';
import { Shenbi } from '../../src/shenbi.ts';

/** `model3d.generate` with format usdz through the job runner, in-process, offline (the built-in library). */

let home: string;
let shenbi: Shenbi;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-model3d-usdz-'));
  shenbi = await Shenbi.open({ overrides: { home }, env: process.env });
});
after(async () => {
  await shenbi.close();
  await rm(home, { recursive: true, force: true });
});

test('format usdz: the lantern stored as a labeled, 64-byte aligned USDZ beside its program; GLB alongside from the same build', async () => {
  const job = await shenbi.generate('3d', { prompt: '一盏红灯笼', format: 'usdz', alsoFormats: ['glb'], detail: 'low', seed: 5, thumbnail: false });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const outputs = job.outputs as { model: string; program: string; files: Record<string, string> };
  assert.deepEqual(Object.keys(outputs.files).sort(), ['glb', 'usdz']);
  const { artifact, bytes } = await shenbi.store.artifacts.read(outputs.model);
  assert.equal(artifact.mimeType, 'model/vnd.usdz+zip');
  assert.match(artifact.name ?? '', /\.usdz$/);
  assert.ok(artifact.provenance.parents.includes(outputs.program));
  assert.deepEqual(
    artifact.labels.map((l) => [l.type, l.placement]),
    [['aigc-explicit', 'usdz-layer-doc'], ['aigc-implicit', 'usdz-layer-data'], ['iptc-digital-source-type', 'usdz-layer-data'], ['reproduction', 'usdz-layer-data']],
  );
  for (const entry of zipLayout(bytes)) assert.equal(entry.dataOffset % 64, 0, `${entry.name} aligned after labeling`);
  const layer = new TextDecoder().decode(readUsdz(bytes)[0]!.data);
  assert.match(layer, /metersPerUnit = 1/);
  assert.match(layer, /doc = ".*人工智能.*"/);
  const report = readImplicitLabels(bytes);
  assert.equal(report.valid, true, report.problems.join('; '));
  assert.equal(report.reproduction?.seed, 5);

  // The cloud path makes GLB or glTF only: usdz is refused with a reason before any request.
  const cloud = await shenbi.generate('3d', { prompt: 'a lantern', model: 'meshy:latest', format: 'usdz', thumbnail: false }).catch((error: unknown) => error);
  const error = (cloud as { error?: unknown }).error ?? cloud;
  assert.equal((error as { code?: string }).code, 'INVALID_INPUT', JSON.stringify(error));
  assert.match(String((error as { message?: string }).message), /usdz comes from the local engine/);
});
