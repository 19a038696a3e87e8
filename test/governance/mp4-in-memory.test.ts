import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { embedImplicitLabel } from '../../src/governance/implicit/embed.ts';
import { embedMp4InMemory } from '../../src/governance/implicit/mp4-udta.ts';
import { readMp4 } from '../../src/governance/implicit/mp4.ts';
import { assertAigcJson, exifAigcTags, exiftoolJson, ffprobeTags, payloadFor, run } from './implicit-labels-helpers.ts';

const ID = 'pid_0123456789abcdef0123456789abcdef';

/** Packet hashes of every stream: equal means no sample moved or changed. */
async function streamHash(path: string): Promise<string> {
  return (await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-map', '0', '-c', 'copy', '-f', 'streamhash', '-'])).stdout;
}

test('a faststart MP4 is labeled in memory: same packets, one AIGC key for ffprobe and exiftool, relabels replace it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-mp4-mem-'));
  try {
    const original = join(dir, 'in.mp4');
    await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart', original]);
    const bytes = new Uint8Array(await readFile(original));
    assert.notEqual(embedMp4InMemory(bytes, '{}', '{}'), null, 'the composer layout takes the in-memory path');
    let labeled: Uint8Array = bytes;
    for (let i = 0; i < 2; i++) labeled = (await embedImplicitLabel(labeled, 'video/mp4', payloadFor(ID))).bytes;
    const out = join(dir, 'out.mp4');
    await writeFile(out, labeled);
    assert.equal(await streamHash(out), await streamHash(original));
    assertAigcJson(String(readMp4(labeled).aigc[0]?.value), ID, 'our reader');
    assert.equal(readMp4(labeled).aigc.length, 1);
    assertAigcJson((await ffprobeTags(out))['AIGC'], ID, 'ffprobe');
    const row = (await exiftoolJson([out]))[out]!;
    assert.equal(exifAigcTags(row).length, 1, 'one AIGC tag in exiftool');
    assert.equal(row['Warning'], undefined, `exiftool warning ${String(row['Warning'])}`);
    assert.ok(Buffer.from(labeled).indexOf('moov') < Buffer.from(labeled).indexOf('mdat'), 'moov stays in front');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('files the in-memory writer does not cover go to the remux (moov after mdat)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-mp4-mem-'));
  try {
    const path = join(dir, 'late.mp4');
    await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10:duration=0.5', '-c:v', 'libx264', '-preset', 'ultrafast', path]);
    const bytes = new Uint8Array(await readFile(path));
    assert.equal(embedMp4InMemory(bytes, '{}', '{}'), null);
    const labeled = (await embedImplicitLabel(bytes, 'video/mp4', payloadFor(ID))).bytes;
    assertAigcJson(String(readMp4(labeled).aigc[0]?.value), ID, 'remuxed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
