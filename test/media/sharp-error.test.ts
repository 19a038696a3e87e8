import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { isShenbiError } from '../../src/core/errors.ts';
import { cropImage, resizeImage } from '../../src/engines/image-ops/index.ts';
import { sharpErrorGist } from '../../src/engines/image-ops/sharp-error.ts';
import { labelImage } from '../../src/governance/explicit/image.ts';

const LIBVIPS_NOISE = /vips|VipsJpeg|VipsForeign|pngload|jpegload|extract_area/i;

test('real sharp failures read plainly: no libvips internals, no repeated lines, the gist kept', async () => {
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#2e86ab' } }).jpeg().toBuffer();
  const damaged = Buffer.from(jpeg);
  damaged.fill(0x41, 200, 400);
  const failures: [() => Promise<unknown>, RegExp][] = [
    [() => sharp(damaged, { failOn: 'error' }).toBuffer(), /^the file is damaged \(corrupt header\): Bogus Huffman table definition$/],
    [() => sharp(jpeg.subarray(0, jpeg.length / 2), { failOn: 'error' }).toBuffer(), /^the file is truncated$/],
    [() => sharp(Buffer.from('hello, not a picture')).metadata(), /^not an image format Shenbi reads$/],
    [() => sharp(jpeg).extract({ left: 300, top: 0, width: 100, height: 10 }).toBuffer(), /^the area lies outside the picture$/],
  ];
  const raw: string[] = [];
  for (const [failure, plain] of failures) {
    const error = await failure().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error, 'sharp refused it');
    raw.push(error.message);
    assert.match(sharpErrorGist(error), plain);
  }
  assert.ok(raw.filter((m) => LIBVIPS_NOISE.test(m)).length >= 2, 'sharp itself says VipsJpeg / extract_area (else this test proves nothing)');
});

test('user-facing errors of picture operations and the image label carry the gist without libvips noise', async () => {
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#2e86ab' } }).jpeg().toBuffer();
  const truncated = jpeg.subarray(0, jpeg.length / 2);
  const damaged = Buffer.from(jpeg);
  damaged.fill(0x41, 200, 400);
  for (const attempt of [() => resizeImage(truncated, { width: 100 }), () => cropImage(damaged, { width: 100, height: 100 }), () => labelImage(damaged, { wording: 'AI生成', corner: 'top-left', inkRatio: 0.05 })]) {
    const error = await attempt().then(() => undefined, (e: unknown) => e);
    assert.ok(isShenbiError(error) && error.code === 'MEDIA_INVALID', String(error));
    assert.doesNotMatch(error.message, LIBVIPS_NOISE);
    assert.match(error.message, /truncated|damaged/);
    assert.equal(error.message.split('\n').length, 1);
  }
});
