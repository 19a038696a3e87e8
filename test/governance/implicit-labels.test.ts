import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { DIGITAL_SOURCE_TYPE, embedImplicitLabel, readImplicitLabels } from '../../src/governance/implicit/index.ts';
import { assertAigcJson, assertDecodes, exifAigcTags, exiftoolAigcLines, exiftoolJson, ffprobeTags, payloadFor, run } from './implicit-labels-helpers.ts';

/**
 * Images, audio and video: real files from sharp and ffmpeg, labeled three times (first write,
 * then two re-labels), read back with exiftool / ffprobe / mid3v2 and with our own reader.
 */

let dir: string;

interface Case {
  name: string;
  mime: string;
  ext: string;
  make: (path: string) => Promise<void>;
  placement: string;
}

const ff = (args: string[]) => async (path: string) => {
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args, path]);
};
const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5'];
const clip = ['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10:duration=0.5', ...tone, '-shortest'];
const image = (format: 'png' | 'jpeg' | 'webp', alpha = false) => async (path: string) => {
  await sharp({ create: { width: 40, height: 30, channels: alpha ? 4 : 3, background: { r: 200, g: 30, b: 60, alpha: 0.5 } } }).toFormat(format).toFile(path);
};

const CASES: Case[] = [
  { name: 'png', mime: 'image/png', ext: 'png', make: image('png'), placement: 'xmp' },
  { name: 'jpeg', mime: 'image/jpeg', ext: 'jpg', make: image('jpeg'), placement: 'xmp' },
  { name: 'webp', mime: 'image/webp', ext: 'webp', make: image('webp'), placement: 'xmp' },
  { name: 'webp-alpha', mime: 'image/webp', ext: 'webp', make: image('webp', true), placement: 'xmp' },
  { name: 'webp-lossless', mime: 'image/webp', ext: 'webp', make: async (p) => void (await sharp({ create: { width: 17, height: 9, channels: 3, background: '#08f' } }).webp({ lossless: true }).toFile(p)), placement: 'xmp' },
  { name: 'mp4', mime: 'video/mp4', ext: 'mp4', make: ff([...clip, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac']), placement: 'mp4-udta' },
  { name: 'mov', mime: 'video/quicktime', ext: 'mov', make: ff([...clip, '-c:v', 'mjpeg', '-c:a', 'pcm_s16le']), placement: 'mp4-udta' },
  { name: 'm4a', mime: 'audio/mp4', ext: 'm4a', make: ff([...tone, '-c:a', 'aac']), placement: 'mp4-udta' },
  { name: 'mp3', mime: 'audio/mpeg', ext: 'mp3', make: ff([...tone, '-c:a', 'libmp3lame', '-metadata', 'title=Song']), placement: 'id3-txxx' },
  { name: 'mp3-untagged', mime: 'audio/mpeg', ext: 'mp3', make: ff([...tone, '-c:a', 'libmp3lame', '-write_xing', '0', '-id3v2_version', '0']), placement: 'id3-txxx' },
  { name: 'wav', mime: 'audio/wav', ext: 'wav', make: ff([...tone, '-c:a', 'pcm_s16le']), placement: 'riff-chunk' },
  { name: 'flac', mime: 'audio/flac', ext: 'flac', make: ff([...tone, '-c:a', 'flac', '-metadata', 'title=Song']), placement: 'vorbis-comment' },
  { name: 'ogg', mime: 'audio/ogg', ext: 'ogg', make: ff([...tone, '-c:a', 'libvorbis']), placement: 'vorbis-comment' },
  { name: 'opus', mime: 'audio/ogg; codecs=opus', ext: 'opus', make: ff([...tone, '-c:a', 'libopus']), placement: 'vorbis-comment' },
];

/** Paths of each case: the original and the file after three labelings. */
const files = new Map<string, { original: string; labeled: string }>();
const LAST_ID = 'art_third0003';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-implicit-'));
  await Promise.all(
    CASES.map(async (c) => {
      const original = join(dir, `${c.name}.${c.ext}`);
      await c.make(original);
      let bytes: Uint8Array = await readFile(original);
      for (const id of ['art_first0001', 'art_second002', LAST_ID]) {
        const embedded = await embedImplicitLabel(bytes, c.mime, payloadFor(id));
        assert.equal(embedded.placement, c.placement, `${c.name} placement`);
        bytes = embedded.bytes;
      }
      const labeled = join(dir, `${c.name}.labeled.${c.ext}`);
      await writeFile(labeled, bytes);
      files.set(c.name, { original, labeled });
    }),
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('our reader finds exactly one valid label, the source type and the reproduction record in every format', async () => {
  for (const c of CASES) {
    const bytes = await readFile(files.get(c.name)!.labeled);
    for (const mime of [c.mime, undefined]) {
      const report = readImplicitLabels(bytes, mime);
      assert.equal(report.labels.length, 1, `${c.name}: one carrier after re-labeling twice (${mime ?? 'sniffed'})`);
      assert.ok(report.valid, `${c.name}: ${report.problems.join('; ')}`);
      assert.equal(report.labels[0]!.placement, c.placement);
      assertAigcJson(report.labels[0]!.raw, LAST_ID, `${c.name} (own reader)`);
      assert.equal(report.digitalSourceType, DIGITAL_SOURCE_TYPE.trained, `${c.name}: IPTC source type`);
      assert.deepEqual(report.reproduction, payloadFor(LAST_ID).reproduction, `${c.name}: reproduction record`);
    }
    const before = readImplicitLabels(await readFile(files.get(c.name)!.original), c.mime);
    assert.equal(before.labels.length, 0, `${c.name}: unlabeled original has none`);
    assert.equal(before.valid, false);
  }
});

test('exiftool reads the XMP label (TC260:AIGC and IPTC DigitalSourceType) once per image', async () => {
  const images = CASES.filter((c) => c.placement === 'xmp').map((c) => files.get(c.name)!.labeled);
  const rows = await exiftoolJson(images);
  for (const path of images) {
    const row = rows[path]!;
    const tags = exifAigcTags(row);
    assert.equal(tags.length, 1, `${path}: one AIGC tag (${tags.map(([k]) => k).join(', ')})`);
    assert.match(tags[0]![0], /^XMP-TC260:aigc$/i);
    assertAigcJson(String(tags[0]![1]), LAST_ID, `${path} (exiftool)`);
    assert.equal(row['XMP-iptcExt:DigitalSourceType'], DIGITAL_SOURCE_TYPE.trained);
    assert.equal(String(row['XMP-shenbi:Seed']), '42');
    assert.equal(row.Warning, undefined, `${path}: exiftool warning ${String(row.Warning)}`);
  }
});

test('images still decode with sharp, same size, and the XMP sits before the image data', async () => {
  for (const c of CASES.filter((x) => x.placement === 'xmp')) {
    const { original, labeled } = files.get(c.name)!;
    const [a, b] = await Promise.all([sharp(original).raw().toBuffer({ resolveWithObject: true }), sharp(labeled).raw().toBuffer({ resolveWithObject: true })]);
    assert.deepEqual(b.info, a.info, `${c.name}: same geometry`);
    assert.ok(b.data.equals(a.data), `${c.name}: same pixels`);
    const meta = await sharp(labeled).metadata();
    assert.ok(meta.xmp !== undefined && meta.xmp.toString('utf8').includes('TC260:AIGC'), `${c.name}: sharp sees the XMP packet`);
  }
  const png = await readFile(files.get('png')!.labeled);
  assert.ok(png.indexOf('iTXtXML:com.adobe.xmp') < png.indexOf('IDAT'), 'PNG iTXt before IDAT');
  const { stdout } = await run('exiftool', ['-v2', files.get('jpeg')!.labeled]);
  assert.match(stdout, /JPEG APP1 .*\n.*XMP/);
});

test('ffprobe and exiftool read the MP4/M4A/MOV keys label; the media still decodes', async () => {
  const names = ['mp4', 'mov', 'm4a'];
  const rows = await exiftoolJson(names.map((n) => files.get(n)!.labeled));
  for (const name of names) {
    const path = files.get(name)!.labeled;
    const tags = await ffprobeTags(path);
    assertAigcJson(tags.AIGC, LAST_ID, `${name} (ffprobe)`);
    assert.equal(rows[path]!['Keys:MajorBrand'], undefined, 'ftyp brands are not copied into keys');
    const exif = exifAigcTags(rows[path]!);
    assert.equal(exif.length, 1, `${name}: one AIGC tag in exiftool (${exif.map(([k]) => k).join(', ')})`);
    assert.equal(exif[0]![0], 'Keys:AIGC');
    await assertDecodes(path);
  }
  const mp4 = await readFile(files.get('mp4')!.labeled);
  assert.ok(mp4.indexOf('moov') < mp4.indexOf('mdat'), 'faststart: moov before mdat');
});

test('MP3: one TXXX:AIGC for ffprobe, mid3v2 and exiftool; other tags kept', async () => {
  for (const name of ['mp3', 'mp3-untagged']) {
    const path = files.get(name)!.labeled;
    assertAigcJson((await ffprobeTags(path)).AIGC, LAST_ID, `${name} (ffprobe)`);
    const { stdout } = await run('mid3v2', ['-l', path]);
    const lines = stdout.split('\n').filter((l) => l.startsWith('TXXX=AIGC='));
    assert.equal(lines.length, 1, `${name}: one TXXX=AIGC in mid3v2 -l`);
    assertAigcJson(lines[0]!.slice('TXXX=AIGC='.length), LAST_ID, `${name} (mid3v2)`);
    if (name === 'mp3') assert.match(stdout, /TIT2=Song/);
    const { stdout: exif } = await run('exiftool', ['-a', '-s3', '-UserDefinedText', path]);
    const aigc = exif.split('\n').filter((t) => t.startsWith('(AIGC) '));
    assert.equal(aigc.length, 1, `${name}: exiftool sees one (AIGC) text`);
    assertAigcJson(aigc[0]!.slice('(AIGC) '.length), LAST_ID, `${name} (exiftool)`);
    await assertDecodes(path);
  }
});

test('WAV: exiftool reads the RIFF AIGC chunk; the RIFF size is right and the audio decodes', async () => {
  const path = files.get('wav')!.labeled;
  const { stdout } = await run('exiftool', ['-U', '-b', '-RIFF:Unknown_AIGC', path]);
  assertAigcJson(stdout.replace(/\0/g, ''), LAST_ID, 'wav (exiftool)');
  const { stdout: verbose } = await run('exiftool', ['-v2', '-U', path]);
  assert.equal(verbose.match(/RIFF 'AIGC' chunk/g)?.length, 1, 'one AIGC chunk');
  const bytes = await readFile(path);
  assert.equal(bytes.readUInt32LE(4), bytes.length - 8, 'RIFF size');
  await assertDecodes(path);
});

test('FLAC / Ogg Vorbis / Opus: one Vorbis comment AIGC for ffprobe and exiftool; the audio decodes', async () => {
  const names = ['flac', 'ogg', 'opus'];
  const rows = await exiftoolJson(names.map((n) => files.get(n)!.labeled));
  for (const name of names) {
    const path = files.get(name)!.labeled;
    assertAigcJson((await ffprobeTags(path)).AIGC, LAST_ID, `${name} (ffprobe)`);
    const exif = exifAigcTags(rows[path]!);
    assert.equal(exif.length, 1, `${name}: one AIGC in exiftool (${exif.map(([k]) => k).join(', ')})`);
    assert.match(exif[0]![0], /^Vorbis:aigc$/i);
    assertAigcJson(String(exif[0]![1]), LAST_ID, `${name} (exiftool)`);
    await assertDecodes(path);
  }
  assert.equal((await ffprobeTags(files.get('flac')!.labeled)).TITLE, 'Song', 'FLAC keeps its other comments');
});

test('exiftool -a sees exactly one AIGC tag in every labeled file, none in the originals', async () => {
  const labeled = CASES.map((c) => files.get(c.name)!.labeled);
  const lines = await exiftoolAigcLines([...labeled, ...CASES.map((c) => files.get(c.name)!.original)]);
  for (const path of labeled) assert.equal(lines.get(path)?.length, 1, `${path}: ${(lines.get(path) ?? []).join(' | ')}`);
  for (const c of CASES) assert.equal(lines.get(files.get(c.name)!.original), undefined, `${c.name} original`);
});

test('corrupt bytes for the declared type are MEDIA_INVALID, and an unknown type is left alone', async () => {
  const payload = payloadFor('art_bad00001');
  const png = await readFile(files.get('png')!.original);
  const truncated: [string, Uint8Array][] = [
    ['image/png', png.subarray(0, 40)],
    ['image/jpeg', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 1, 2])],
    ['image/webp', Buffer.from('RIFF\x10\0\0\0WEBPVP8 \xff\0\0\0', 'latin1')],
    ['audio/wav', png],
    ['audio/mpeg', Buffer.from('ID3\x04\0\0\0\0\x10\0abc', 'latin1')],
    ['audio/flac', png],
    ['video/mp4', png],
    ['audio/ogg', png],
    ['audio/midi', png],
  ];
  for (const [mime, bytes] of truncated) {
    await assert.rejects(embedImplicitLabel(bytes, mime, payload), (e: unknown) => e instanceof ShenbiError && e.code === 'MEDIA_INVALID', mime);
  }
  const unknown = new Uint8Array([1, 2, 3]);
  const result = await embedImplicitLabel(unknown, 'application/x-thing', payload);
  assert.equal(result.bytes, unknown);
  assert.equal(result.placement, 'store');
  assert.match(result.note ?? '', /application\/x-thing/);
});

test('an existing XMP packet is merged, not replaced, and a PNG tEXt AIGC is not kept beside it', async () => {
  const path = join(dir, 'with-xmp.jpg');
  const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" TC260:AIGC="{&quot;Label&quot;:&quot;1&quot;}"><dc:creator><rdf:Seq><rdf:li>Ada</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>';
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).jpeg().withXmp(xmp).toFile(path);
  const labeled = await embedImplicitLabel(await readFile(path), 'image/jpeg', payloadFor('art_merge0001'));
  await writeFile(path, labeled.bytes);
  const row = (await exiftoolJson([path]))[path]!;
  assert.deepEqual(row['XMP-dc:Creator'], ['Ada']);
  assert.equal(exifAigcTags(row).length, 1);
  assertAigcJson(String(exifAigcTags(row)[0]![1]), 'art_merge0001', 'merged jpeg');

  const pngPath = join(dir, 'text-aigc.png');
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toFile(pngPath);
  // Doubao's form: a tEXt chunk keyword AIGC holding the wrapped JSON, after IHDR.
  const plain = await readFile(pngPath);
  const body = Buffer.from('tEXtAIGC\0{"AIGC":{"Label":"1"}}', 'latin1');
  const chunk = Buffer.concat([Buffer.alloc(4), body, Buffer.alloc(4)]);
  chunk.writeUInt32BE(body.length - 4, 0);
  chunk.writeUInt32BE(crc32(body) >>> 0, chunk.length - 4);
  const withText = Buffer.concat([plain.subarray(0, 33), chunk, plain.subarray(33)]);
  await writeFile(pngPath, withText);
  assert.match((await run('exiftool', ['-s3', '-PNG:AIGC', pngPath])).stdout, /"AIGC"/, 'exiftool reads the crafted tEXt');
  const found = readImplicitLabels(withText);
  assert.equal(found.labels[0]?.placement, 'png-text', 'reader finds the tEXt form');
  assert.ok(found.labels[0]!.wrapped);
  assert.equal(found.valid, false, 'a one-key label is invalid');
  const png = await embedImplicitLabel(withText, 'image/png', payloadFor('art_png00001'));
  const report = readImplicitLabels(png.bytes, 'image/png');
  assert.deepEqual(report.labels.map((l) => l.placement), ['xmp']);
});
