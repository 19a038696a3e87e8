import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { closeOcr, recognizeText } from '../../src/engines/ocr/tesseract.ts';
import { renderCard } from '../../src/engines/procedural-card/index.ts';

after(() => closeOcr());

test('a poster with a Chinese title renders real glyphs: OCR reads them back, unlike a render in a missing font', async () => {
  const card = await renderCard({ title: '福满人间', lines: ['新春快乐'], width: 1080, height: 1440, seed: 3, format: 'png' });
  // Cut out the title band and read it.
  // Tesseract's Chinese model reads ~40 px glyphs best: shrink the 1080 px poster to a third.
  const png = await sharp(card.bytes).resize({ width: 360 }).greyscale().png().toBuffer();
  const read = await recognizeText(png, { languages: ['zh'] });
  assert.ok(read.text.replace(/\s/g, '').includes('福满人间'), `OCR read: ${read.text}`);

  // The same poster rendered where no CJK font is installed (fontconfig limited to DejaVu, in
  // a child process) shows boxes: OCR finds no title there, and the pictures differ.
  const dir = mkdtempSync(join(tmpdir(), 'shenbi-tofu-'));
  try {
    writeFileSync(join(dir, 'fonts.conf'), `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>${dir}/cache</cachedir></fontconfig>`);
    const script = `import { renderCard } from ${JSON.stringify(new URL('../../src/engines/procedural-card/index.ts', import.meta.url).href)};
const card = await renderCard({ title: '福满人间', lines: ['新春快乐'], width: 1080, height: 1440, seed: 3, format: 'png' });
process.stdout.write(card.bytes.toString('base64'));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, FONTCONFIG_FILE: join(dir, 'fonts.conf') }, maxBuffer: 64 << 20 }).toString();
    const tofu = Buffer.from(out, 'base64');
    const tofuRead = await recognizeText(await sharp(tofu).resize({ width: 360 }).greyscale().png().toBuffer(), { languages: ['zh'] });
    assert.ok(!tofuRead.text.includes('福满'), `without a CJK font OCR must not find the title (read: ${tofuRead.text})`);
    const [a, b] = await Promise.all([sharp(tofu).raw().toBuffer(), sharp(card.bytes).raw().toBuffer()]);
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    assert.ok(diff / a.length > 0.5, `the renders differ (${(diff / a.length).toFixed(2)})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
