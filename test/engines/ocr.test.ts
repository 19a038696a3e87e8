import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { closeOcr, normalizeOcrText, recognizeText } from '../../src/engines/ocr/tesseract.ts';

after(() => closeOcr());

/** A line of text rendered by the test itself (Noto Sans CJK from fonts-noto-cjk). */
function line(text: string, width = 900): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="120"><rect width="100%" height="100%" fill="#fff"/><text x="30" y="80" font-family="Noto Sans CJK SC" font-size="40" fill="#111">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

test('OCR reads an English and a Chinese line exactly, offline', async () => {
  const english = await recognizeText(await line('The quick brown fox jumps'), { languages: ['en'] });
  assert.equal(english.text, 'The quick brown fox jumps');
  const chinese = await recognizeText(await line('神笔马良画什么都是真的'), { languages: ['zh'] });
  assert.equal(chinese.text, '神笔马良画什么都是真的');
  assert.ok(chinese.lines.length === 1 && chinese.lines[0]!.box.x1 > chinese.lines[0]!.box.x0);
  assert.ok(english.confidence > 70);
});

test('bad input: an unknown language, a corrupt image', async () => {
  await assert.rejects(recognizeText(await line('x'), { languages: ['klingon'] }), (e: unknown) => e instanceof ShenbiError && e.code === 'UNSUPPORTED_LANGUAGE');
  await assert.rejects(recognizeText(Buffer.from('not an image at all'), { languages: ['en'] }), (e: unknown) => e instanceof ShenbiError && e.code === 'MEDIA_INVALID');
});

/** A PNG whose header claims 100,000 × 100,000 pixels (a decompression bomb's calling card). */
function bombPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IEND', Buffer.alloc(0))]);
}

test('a decompression bomb is refused before it is decoded', async () => {
  await assert.rejects(recognizeText(bombPng(), { languages: ['en'] }), (e: unknown) => e instanceof ShenbiError && e.code === 'MEDIA_INVALID' && /megapixels|pixel/.test(e.message));
});

test('normalisation joins Chinese characters but keeps English spacing', () => {
  assert.equal(normalizeOcrText(' 神 笔 马 良 \nhello  world '), '神笔马良\nhello  world');
});
