import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { labelImage, layoutLabel } from '../../src/governance/explicit/image.ts';
import type { Corner } from '../../src/governance/explicit/options.ts';

interface Rgb { r: number; g: number; b: number }

async function uniform(width: number, height: number, background: Rgb, format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } }).toFormat(format).toBuffer();
}

async function pixels(bytes: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function luminance(r: number, g: number, b: number): number {
  const lin = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * Measured from pixels, not from the labeler's own numbers: on a uniform background, the
 * changed pixels form the plate; inside it, the text is the pixels far brighter than the plate
 * (white ink at ≥ half coverage). Its rows give the ink height.
 */
async function measure(original: Uint8Array, labeled: Uint8Array) {
  const a = await pixels(original);
  const b = await pixels(labeled);
  assert.deepEqual([b.width, b.height], [a.width, a.height]);
  let box = { left: Infinity, top: Infinity, right: -1, bottom: -1 };
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 3;
      if (Math.abs(a.data[i]! - b.data[i]!) + Math.abs(a.data[i + 1]! - b.data[i + 1]!) + Math.abs(a.data[i + 2]! - b.data[i + 2]!) < 30) continue;
      box = { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x), bottom: Math.max(box.bottom, y) };
    }
  }
  assert.ok(box.right >= 0, 'no pixel changed');
  // The plate colour: the darkest common value inside the box (its corner-free edge row).
  const plateAt = ((box.top + 1) * a.width + Math.round((box.left + box.right) / 2)) * 3;
  const plate = { r: b.data[plateAt]!, g: b.data[plateAt + 1]!, b: b.data[plateAt + 2]! };
  const plateL = luminance(plate.r, plate.g, plate.b);
  let inkTop = Infinity;
  let inkBottom = -1;
  let textL = 0;
  for (let y = box.top; y <= box.bottom; y++) {
    for (let x = box.left; x <= box.right; x++) {
      const i = (y * a.width + x) * 3;
      const mid = (c: number, p: number) => c >= (255 + p) / 2;
      if (!(mid(b.data[i]!, plate.r) && mid(b.data[i + 1]!, plate.g) && mid(b.data[i + 2]!, plate.b))) continue;
      inkTop = Math.min(inkTop, y);
      inkBottom = Math.max(inkBottom, y);
      textL = Math.max(textL, luminance(b.data[i]!, b.data[i + 1]!, b.data[i + 2]!));
    }
  }
  assert.ok(inkBottom >= 0, 'no text pixels inside the plate');
  return { box, ink: inkBottom - inkTop + 1, contrast: (textL + 0.05) / (plateL + 0.05), width: a.width, height: a.height };
}

const SIZES: [string, number, number][] = [
  ['landscape', 960, 540],
  ['portrait', 540, 960],
  ['square', 512, 512],
  ['small', 160, 120],
];

for (const [name, width, height] of SIZES) {
  test(`${name} ${width}x${height}: ink height ≥ 5 % of the shortest side, in the bottom-right corner`, async () => {
    const original = await uniform(width, height, { r: 40, g: 120, b: 200 });
    const { bytes, record } = await labelImage(original, { wording: 'AI生成', corner: 'bottom-right', inkRatio: 0.055 });
    const m = await measure(original, bytes);
    const shortest = Math.min(width, height);
    console.log(`# ${name}: ink ${m.ink}px = ${((100 * m.ink) / shortest).toFixed(2)} % of ${shortest}px; plate ${m.box.right - m.box.left + 1}x${m.box.bottom - m.box.top + 1}`);
    assert.ok(m.ink >= 0.05 * shortest, `ink ${m.ink}px < 5 % of ${shortest}`);
    // Not absurdly large either: the mark is a label, not a banner.
    assert.ok(m.ink <= 0.09 * shortest, `ink ${m.ink}px is > 9 % of ${shortest}`);
    assert.ok(m.box.left > width / 2 && m.box.top > height / 2, `plate at ${JSON.stringify(m.box)}`);
    assert.ok(m.box.right < width && m.box.bottom < height);
    const ratio = (record.value as { textHeightRatio: number }).textHeightRatio;
    assert.ok(Math.abs(ratio * shortest - m.ink) <= 3, `recorded ${ratio * shortest}px vs measured ${m.ink}px`);
  });
}

test('legible on any background: text/plate contrast ≥ 4.5:1 on white, black and mid grey', async () => {
  for (const background of [{ r: 255, g: 255, b: 255 }, { r: 0, g: 0, b: 0 }, { r: 128, g: 128, b: 128 }]) {
    const original = await uniform(400, 300, background);
    const { bytes } = await labelImage(original, { wording: 'AI生成', corner: 'top-left', inkRatio: 0.055 });
    // On black the plate changes nothing: measure against a white-text-free reference instead.
    if (background.r === 0) {
      const p = await pixels(bytes);
      let bright = 0;
      for (let i = 0; i < p.data.length; i += 3) if (p.data[i]! > 200) bright++;
      assert.ok(bright > 50, 'white text visible on black');
      continue;
    }
    const m = await measure(original, bytes);
    assert.ok(m.contrast >= 4.5, `contrast ${m.contrast.toFixed(2)} on ${JSON.stringify(background)}`);
    assert.ok(m.box.left < 200 && m.box.top < 150, 'top-left corner');
  }
});

test('format and size are kept for PNG, JPEG and WebP; every corner works', async () => {
  const corners: Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];
  for (const format of ['png', 'jpeg', 'webp'] as const) {
    const original = await uniform(300, 200, { r: 200, g: 60, b: 60 }, format);
    for (const corner of corners) {
      const { bytes, record } = await labelImage(original, { wording: 'AI生成', corner, inkRatio: 0.055 });
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], [format, 300, 200]);
      assert.equal(record.placement, `image-${corner}`);
      const m = await measure(original, bytes);
      assert.equal(m.box.left < 150, corner.endsWith('left'), `${format} ${corner}`);
      assert.equal(m.box.top < 100, corner.startsWith('top'), `${format} ${corner}`);
    }
  }
});

test('marking a 1920x1080 PNG is one decode and one encode: fast', async () => {
  // A noisy picture, so PNG compression costs what it costs on real renders.
  const noise = Buffer.alloc(1920 * 1080 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const original = await sharp(noise, { raw: { width: 1920, height: 1080, channels: 3 } }).png().toBuffer();
  await labelImage(original, { wording: 'AI生成', corner: 'bottom-right', inkRatio: 0.055 });
  const start = performance.now();
  await labelImage(original, { wording: 'AI生成', corner: 'bottom-right', inkRatio: 0.055 });
  const ms = performance.now() - start;
  console.log(`# 1080p PNG explicit mark: ${ms.toFixed(0)} ms`);
  assert.ok(ms < 1500, `${ms} ms`);
});

test('an opaque noise PNG: same pixels as the full re-encode, still RGB, and no larger (stored deflate)', async () => {
  const noise = Buffer.alloc(640 * 360 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const original = await sharp(noise, { raw: { width: 640, height: 360, channels: 3 } }).png().toBuffer();
  const { bytes, record } = await labelImage(original, { wording: 'AI生成', corner: 'bottom-right', inkRatio: 0.055 });
  const box = (record.value as { box: { left: number; top: number; width: number; height: number } }).box;
  // What the mark was before: the same composite through sharp's defaults (level 6, RGBA).
  const layout = await layoutLabel(640, 360, 'AI生成', 'bottom-right', 0.055);
  const before = await sharp(original).composite([{ input: Buffer.from(layout.svg), left: layout.left, top: layout.top }]).png().toBuffer();
  assert.deepEqual((await pixels(bytes)).data, (await pixels(before)).data, 'the same pixels as the full re-encode');
  assert.ok(bytes.length <= before.length, `${bytes.length} > ${before.length}`);
  const meta = await sharp(bytes).metadata();
  assert.deepEqual([meta.format, meta.channels, meta.hasAlpha], ['png', 3, false]);
  const level6 = await sharp(bytes).png().toBuffer();
  assert.ok(bytes.length <= level6.length, `${bytes.length} > ${level6.length}`);
  const a = await pixels(original);
  const b = await pixels(bytes);
  let outside = 0;
  for (let y = 0; y < 360; y++) {
    for (let x = 0; x < 640; x++) {
      if (x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height) continue;
      for (let c = 0; c < 3; c++) if (a.data[(y * 640 + x) * 3 + c] !== b.data[(y * 640 + x) * 3 + c]) outside++;
    }
  }
  assert.equal(outside, 0, 'pixels outside the plate are untouched');
});
