import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readImplicitLabels } from '../../src/governance/implicit/index.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { promisedItem } from '../../src/pipelines/npc/promised-item.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { TESTDATA } from '../helpers/testdata.ts';

let home: string;
let shenbi: Shenbi;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-npc-item-'));
  shenbi = await Shenbi.open({ overrides: { home, defaultTextModel: 'stories260k' } });
  await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
});
after(async () => {
  await shenbi.close();
  await rm(home, { recursive: true, force: true });
});

const blacksmith = {
  npc: { id: 'smith', name: 'Old Tie', persona: 'The village blacksmith: gruff, proud of his steel, never refuses a soldier.', language: 'en' },
  world: 'A border town before the war',
  quest: 'Arm the general',
  player: 'p1',
};

test("the promised item: the player's request first, else the NPC's reply; none named leaves the request as the prompt", () => {
  assert.deepEqual(promisedItem('Forge a sword for the general', 'Aye, by the old tree out back.'), { prompt: 'Forge a sword for the general', object: 'sword', source: 'player' });
  assert.deepEqual(promisedItem('请为将军打造一把剑。', '好的，三天后来取。'), { prompt: '请为将军打造一把剑。', object: 'sword', source: 'player' });
  assert.deepEqual(promisedItem('Make something for the general.', 'Aye. A red lantern for his tent, then!'), { prompt: 'A red lantern for his tent, then!', object: 'lantern', source: 'reply' });
  assert.deepEqual(promisedItem('Hello there', 'Good day.'), { prompt: 'Hello there', object: null, source: 'player' });
  // A greeting asks for nothing: what the reply mentions is not a promise.
  assert.deepEqual(promisedItem('Good morning to you', 'Morning! Mind the old tree by the gate.'), { prompt: 'Good morning to you', object: null, source: 'player' });
});

test('npc-item: the blacksmith answers (text + voice) and forges the sword as a labeled GLB', { timeout: 300_000 }, async () => {
  const job = await shenbi.run('npc-item', { scene: blacksmith, message: 'Forge a sword for the general', thumbnail: false, seed: 7 });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const outputs = job.outputs!;
  assert.equal(typeof outputs.text, 'string');
  assert.ok((outputs.text as string).length > 0, 'the NPC said something');
  assert.equal(outputs.item, 'Forge a sword for the general');

  const audio = await shenbi.store.artifacts.read(outputs.audio as string);
  assert.equal(audio.artifact.mimeType, 'audio/wav');

  const { artifact, bytes } = await shenbi.store.artifacts.read(outputs.model as string);
  assert.equal(artifact.mimeType, 'model/gltf-binary');
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'glTF');
  assert.equal(artifact.jobId, job.id);
  const types = artifact.labels.map((l) => `${l.type}@${l.placement}`);
  assert.ok(types.includes('aigc-explicit@gltf-asset-extras.aigcExplicitLabel'), types.join(', '));
  assert.ok(types.includes('aigc-implicit@gltf-extras'), types.join(', '));
  const report = readImplicitLabels(bytes);
  assert.equal(report.valid, true, report.problems.join('; '));
  assert.equal((await verifyLabels(bytes)).verdict, 'labeled');

  const program = JSON.parse((await shenbi.store.artifacts.read(outputs.program as string)).bytes.toString('utf8')) as { name: string };
  assert.match(program.name, /sword/i, 'the built-in sword was built');
  const metrics = outputs.metrics as { triangles: number; watertight: boolean };
  assert.ok(metrics.triangles > 0);
  assert.equal(metrics.watertight, true);
});

test('npc-item for printing: the sword as STL carries its AIGC marker; an item nobody can build is a clear error', { timeout: 300_000 }, async () => {
  const stl = await shenbi.run('npc-item', { scene: blacksmith, message: '请为将军打造一把剑。', format: 'stl', thumbnail: false, seed: 7 });
  assert.equal(stl.status, 'completed', JSON.stringify(stl.error));
  const { artifact, bytes } = await shenbi.store.artifacts.read(stl.outputs!.model as string);
  assert.equal(artifact.mimeType, 'model/stl');
  assert.equal(bytes.length, 84 + 50 * bytes.readUInt32LE(80));
  const verified = await verifyLabels(bytes);
  assert.equal(verified.verdict, 'labeled', verified.problems.join('; '));
  assert.match(verified.implicit.marker?.text ?? '', /^AIGC Label=1 ProduceID=\S+$/);

  const none = await shenbi.run('npc-item', { scene: blacksmith, message: 'Good morning to you', thumbnail: false });
  assert.equal(none.status, 'failed');
  assert.equal(none.error?.code, 'INVALID_INPUT');
  assert.match(none.error?.message ?? '', /No built-in 3D object matches "Good morning to you"/);
});
