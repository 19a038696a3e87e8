import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Shenbi } from '../../src/shenbi.ts';

/**
 * Same seed and input → the same bytes, across two separate homes (so no step cache, two
 * different C2PA keys). The AIGC label's ProduceID names the content, not the stored copy
 * (governance/produce-id.ts), so it is the same in both. What may differ is only the C2PA
 * manifest (`caBX` in a PNG): C2PA salts every assertion with fresh random bytes and signs
 * with the home's own key, by design. With C2PA off the files are identical outright.
 */

const spec = {
  id: 'reproducible',
  title: 'same seed twice',
  steps: [
    { id: 'song', uses: 'music.song', with: { lyrics: '新年快乐\n万事如意', vocals: 'none', seed: 4 } },
    { id: 'card', uses: 'image.card', with: { title: '新年快乐', text: '万事如意', seed: 3 } },
    { id: 'lantern', uses: 'model3d.generate', with: { prompt: '一盏红灯笼', seed: 5, thumbnail: false } },
  ],
  outputs: { midi: { $from: 'song.midi' }, card: { $from: 'card.image' }, model: { $from: 'lantern.model' } },
};

interface Made {
  midi: { id: string; bytes: Buffer };
  card: { id: string; bytes: Buffer };
  /** A GLB: glTF carries no C2PA manifest, so it matches outright. */
  model: { id: string; bytes: Buffer };
  /** Artifact ids the home finds by the MIDI's ProduceID. */
  foundByProduceId: string[];
}

async function runOnce(): Promise<Made> {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-reproducible-'));
  const shenbi = await Shenbi.open({ overrides: { home, c2pa: { enabled: true, keysDir: join(home, 'keys') } } });
  try {
    const job = await shenbi.run(spec, {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const read = async (id: string) => ({ id, bytes: (await shenbi.store.artifacts.read(id)).bytes });
    const midi = await read(job.outputs!.midi as string);
    const found = await shenbi.store.artifacts.list({ produceId: produceIdOf(midi.bytes) });
    return { midi, card: await read(job.outputs!.card as string), model: await read(job.outputs!.model as string), foundByProduceId: found.map((a) => a.id) };
  } finally {
    await shenbi.close();
    await rm(home, { recursive: true, force: true });
  }
}

function produceIdOf(bytes: Buffer): string {
  const id = /"ProduceID":"([^"]+)"/.exec(bytes.toString('latin1'))?.[1];
  assert.ok(id !== undefined, 'the file carries an AIGC label');
  return id;
}

/** PNG chunks (type and data; CRCs follow the data), the C2PA manifest left out. */
function pngChunksWithoutC2pa(bytes: Buffer): { type: string; data: string }[] {
  const out: { type: string; data: string }[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type !== 'caBX') out.push({ type, data: bytes.subarray(at + 8, at + 8 + length).toString('hex') });
    at += 12 + length;
  }
  return out;
}

test('the same seed twice, in separate homes: identical MIDI bytes, identical card bytes outside the C2PA manifest, one ProduceID', async () => {
  const first = await runOnce();
  const second = await runOnce();
  assert.notEqual(first.midi.id, second.midi.id);

  assert.ok(first.midi.bytes.equals(second.midi.bytes), 'MIDI bytes differ (an artifact id or a wall-clock value in the label?)');
  assert.match(produceIdOf(first.midi.bytes), /^pid_[0-9a-f]{32}$/);
  assert.ok(!first.midi.bytes.includes(first.midi.id), 'the stored copy\'s artifact id is not inside the file');
  assert.deepEqual(first.foundByProduceId, [first.midi.id], 'the home finds the artifact by the ProduceID in its file');
  assert.notEqual(produceIdOf(first.midi.bytes), produceIdOf(first.card.bytes), 'different content, different ProduceID');
  assert.ok(first.model.bytes.equals(second.model.bytes), 'GLB bytes differ');
  assert.match(produceIdOf(first.model.bytes), /^pid_[0-9a-f]{32}$/);

  const [a, b] = [pngChunksWithoutC2pa(first.card.bytes), pngChunksWithoutC2pa(second.card.bytes)];
  assert.deepEqual(a.map((c) => c.type), b.map((c) => c.type));
  assert.ok(first.card.bytes.includes(Buffer.from('caBX')), 'the card is C2PA-signed');
  for (let i = 0; i < a.length; i++) assert.equal(a[i]!.data, b[i]!.data, `PNG ${a[i]!.type} chunk #${i} differs`);
  assert.ok(!a.some((c) => c.type === 'tIME'), 'no modification-time chunk');
});

test('with C2PA off (c2pa.enabled: false), the same seed twice gives byte-identical files, signed formats included', async () => {
  // MIDI and GLB carry no manifest and matched above: the card alone shows what C2PA changed.
  const cardOnly = { ...spec, steps: spec.steps.filter((s) => s.id === 'card'), outputs: { card: spec.outputs.card } };
  const [first, second] = [await cardOnce(cardOnly), await cardOnce(cardOnly)];
  assert.ok(!first.includes(Buffer.from('caBX')), 'no C2PA manifest');
  assert.ok(first.equals(second), 'card PNG bytes differ');
});

async function cardOnce(pipeline: typeof spec | Record<string, unknown>): Promise<Buffer> {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-reproducible-'));
  const shenbi = await Shenbi.open({ overrides: { home, c2pa: { enabled: false, keysDir: join(home, 'keys') } } });
  try {
    const job = await shenbi.run(pipeline as typeof spec, {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    return (await shenbi.store.artifacts.read(job.outputs!.card as string)).bytes;
  } finally {
    await shenbi.close();
    await rm(home, { recursive: true, force: true });
  }
}
