import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import { ShenbiError } from '../../src/core/errors.ts';
import { composePoster, cropImage, resizeImage, thumbnailImage, upscaleImage } from '../../src/engines/image-ops/index.ts';

let photo: Buffer;
before(async () => {
  // 400×300 grey field with a bright red square near the right edge (the "subject").
  const square = await sharp({ create: { width: 80, height: 80, channels: 3, background: '#ff2020' } }).png().toBuffer();
  photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } }).composite([{ input: square, left: 300, top: 110 }]).png().toBuffer();
});

const code = (expected: string) => (error: unknown) => {
  assert.ok(error instanceof ShenbiError, String(error));
  assert.equal(error.code, expected, error.message);
  return true;
};

test('resize: fit modes give the sizes libvips promises', async () => {
  assert.deepEqual(await resizeImage(photo, { width: 200 }).then((r) => [r.width, r.height]), [200, 150]);
  assert.deepEqual(await resizeImage(photo, { width: 200, height: 200, fit: 'cover' }).then((r) => [r.width, r.height]), [200, 200]);
  const contained = await resizeImage(photo, { width: 200, height: 200, fit: 'contain', background: '#000000' });
  assert.deepEqual([contained.width, contained.height], [200, 200]);
  // Letterbox bars are black at the top row.
  const { data } = await sharp(contained.bytes).extract({ left: 100, top: 0, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([...data.subarray(0, 3)], [0, 0, 0]);
  const jpeg = await resizeImage(photo, { width: 120, format: 'jpeg' });
  assert.equal((await sharp(jpeg.bytes).metadata()).format, 'jpeg');
});

test('crop: an exact box, a box outside the picture refused, and attention keeps the red subject', async () => {
  const boxed = await cropImage(photo, { box: { left: 300, top: 110, width: 80, height: 80 } });
  const stats = await sharp(boxed.bytes).stats();
  assert.ok(stats.channels[0]!.mean > 240 && stats.channels[1]!.mean < 40, 'the box is the red square');
  await assert.rejects(cropImage(photo, { box: { left: 350, top: 0, width: 100, height: 10 } }), code('INVALID_INPUT'));
  const smart = await cropImage(photo, { width: 150, height: 300, strategy: 'attention' });
  const centre = await cropImage(photo, { width: 150, height: 300, strategy: 'centre' });
  const redness = async (b: Buffer) => { const s = await sharp(b).stats(); return s.channels[0]!.mean - s.channels[1]!.mean; };
  assert.ok((await redness(smart.bytes)) > 20, 'attention crop contains the subject');
  assert.ok((await redness(centre.bytes)) < 1, 'a centre crop misses it');
});

test('upscale: 2× and 4× Lanczos, refused above the output pixel limit', async () => {
  const up = await upscaleImage(photo, { factor: 2 });
  assert.deepEqual([up.width, up.height], [800, 600]);
  const up4 = await upscaleImage(photo, { factor: 4, format: 'jpeg' });
  assert.deepEqual([up4.width, up4.height], [1600, 1200]);
  await assert.rejects(upscaleImage(photo, { factor: 4, maxOutputPixels: 1_000_000 }), code('INVALID_INPUT'));
});

test('thumbnail: a 256 px WebP, never enlarged', async () => {
  const t = await thumbnailImage(photo);
  const meta = await sharp(t.bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 256, 192]);
  const small = await thumbnailImage(await sharp(photo).resize(100).png().toBuffer());
  assert.equal(small.width, 100);
});

test('a decompression bomb is MEDIA_INVALID from its header alone; corrupt bytes are MEDIA_INVALID', async () => {
  // A valid 1-bit PNG of 20000×20000 (400 MP) in ~50 KB: refused for its size, before any pixel is decoded.
  const bytes = pngBomb(20_000, 20_000);
  assert.ok(bytes.length < 200_000);
  const started = Date.now();
  await assert.rejects(resizeImage(bytes, { width: 100 }), (error: unknown) => code('MEDIA_INVALID')(error) && /MP limit/.test((error as Error).message));
  assert.ok(Date.now() - started < 2000, 'refused without decoding');
  await assert.rejects(thumbnailImage(Buffer.from('GIF89a not really a gif at all')), code('MEDIA_INVALID'));
  await assert.rejects(upscaleImage(photo.subarray(0, photo.length / 2), { factor: 2 }), code('MEDIA_INVALID'));
});

/** A real, decodable PNG: 1-bit greyscale, all zero rows, deflated. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8);
  const raw = Buffer.alloc(height * (1 + Math.ceil(width / 8)));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c;
}

test('poster: 1080×1440 and 1080×1920, the picture framed above a CJK title', async () => {
  const poster = await composePoster({ picture: photo, title: '春节快乐', subtitle: '阖家团圆 · Happy New Year' });
  assert.deepEqual([poster.width, poster.height], [1080, 1440]);
  const tall = await composePoster({ picture: photo, title: '福', width: 1080, height: 1920, format: 'jpeg' });
  assert.deepEqual([tall.width, tall.height, (await sharp(tall.bytes).metadata()).format], [1080, 1920, 'jpeg']);
  // The title band has white glyph pixels on the dark background.
  const band = await sharp(poster.bytes).extract({ left: 0, top: 1000, width: 1080, height: 200 }).greyscale().raw().toBuffer();
  assert.ok(band.filter((v) => v > 200).length > 2000, 'title pixels present');
  await assert.rejects(composePoster({ picture: photo, title: '  ' }), code('INVALID_INPUT'));
});
