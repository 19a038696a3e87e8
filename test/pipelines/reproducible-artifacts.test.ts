import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Shenbi } from '../../src/shenbi.ts';

/**
 * Same seed and input → the same bytes, across two separate homes (so no step cache, and two
 * different C2PA keys). What legitimately differs per run, and only that, is set aside:
 * - the artifact id, which is the AIGC label's ProduceID/PropagateID (GB 45438 Annex E: one
 *   production id per produced item), in MIDI text events and in the PNG's XMP;
 * - the PNG's C2PA manifest (`caBX`): its claim has a signing time, an instance id and a
 *   signature by the home's own key.
 * Everything else — the music, the pixels, the reproduction record (engine, seed, parameter
 * hash) — must be byte for byte the same.
 */

const spec = {
  id: 'reproducible',
  title: 'same seed twice',
  steps: [
    { id: 'song', uses: 'music.song', with: { lyrics: '新年快乐\n万事如意', vocals: 'none', seed: 4 } },
    { id: 'card', uses: 'image.card', with: { title: '新年快乐', text: '万事如意', seed: 3 } },
  ],
  outputs: { midi: { $from: 'song.midi' }, card: { $from: 'card.image' } },
};

interface Made {
  midi: { id: string; bytes: Buffer };
  card: { id: string; bytes: Buffer };
}

async function runOnce(): Promise<Made> {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-reproducible-'));
  const shenbi = await Shenbi.open({ overrides: { home } });
  try {
    const job = await shenbi.run(spec, {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const read = async (id: string) => ({ id, bytes: (await shenbi.store.artifacts.read(id)).bytes });
    return { midi: await read(job.outputs!.midi as string), card: await read(job.outputs!.card as string) };
  } finally {
    await shenbi.close();
    await rm(home, { recursive: true, force: true });
  }
}

/** The bytes with every occurrence of the artifact id replaced by a same-length placeholder. */
function withoutId(bytes: Buffer, id: string): Buffer {
  const placeholder = Buffer.from('art_'.padEnd(id.length, '0'));
  const out = Buffer.from(bytes);
  let found = 0;
  for (let at = out.indexOf(id); at >= 0; at = out.indexOf(id, at + 1), found++) placeholder.copy(out, at);
  assert.ok(found >= 2, `the AIGC label names ${id} as ProduceID and PropagateID (${found} found)`);
  return out;
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

test('the same seed twice, in separate runs and homes: identical MIDI and card bytes but for the per-item id and the C2PA signature', async () => {
  const first = await runOnce();
  const second = await runOnce();
  assert.notEqual(first.midi.id, second.midi.id);

  // MIDI carries no C2PA: with the id set aside, the files are identical.
  assert.ok(withoutId(first.midi.bytes, first.midi.id).equals(withoutId(second.midi.bytes, second.midi.id)), 'MIDI bytes differ beyond the artifact id (e.g. a wall-clock value in the reproduction record)');

  const chunks = (made: Made) => pngChunksWithoutC2pa(withoutId(made.card.bytes, made.card.id));
  const [a, b] = [chunks(first), chunks(second)];
  assert.deepEqual(a.map((c) => c.type), b.map((c) => c.type));
  assert.ok(first.card.bytes.includes(Buffer.from('caBX')), 'the card is C2PA-signed');
  for (let i = 0; i < a.length; i++) assert.equal(a[i]!.data, b[i]!.data, `PNG ${a[i]!.type} chunk #${i} differs`);
  assert.ok(!a.some((c) => c.type === 'tIME'), 'no modification-time chunk');
});
