import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { composePoster } from '../../src/engines/image-ops/index.ts';
import { closeOcr, recognizeText } from '../../src/engines/ocr/tesseract.ts';

after(() => closeOcr());

test('a composed poster sets its Chinese title in real glyphs: OCR reads it back', async () => {
  const picture = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#7a9e7e' } }).png().toBuffer();
  const poster = await composePoster({ picture, title: '福满人间', subtitle: '新春快乐' });
  // The text block sits under the framed picture; shrink so glyphs are ~40 px, as Tesseract likes.
  const band = await sharp(poster.bytes).extract({ left: 0, top: 900, width: 1080, height: 540 }).resize({ width: 360 }).greyscale().png().toBuffer();
  const read = await recognizeText(band, { languages: ['zh'] });
  assert.ok(read.text.replace(/\s/g, '').includes('福满人间'), `OCR read: ${read.text}`);
});
