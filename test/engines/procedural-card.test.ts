import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { renderCard } from '../../src/engines/procedural-card/index.ts';
import { wrapText } from '../../src/engines/procedural-card/layout.ts';

test('wrapping breaks Latin text at spaces and CJK text anywhere', () => {
  assert.deepEqual(wrapText('aaa bbb ccc', 3), ['aaa', 'bbb', 'ccc']);
  assert.deepEqual(wrapText('一二三四五六', 3), ['一二三', '四五六']);
  assert.deepEqual(wrapText('one\ntwo', 100), ['one', 'two']);
});

test('renders a real image of the requested size and format, deterministic for a seed', async () => {
  const request = { title: '致妈妈：身体健康', lines: ['身强体健福满堂', '岁岁平安笑语长'], width: 640, height: 480, seed: 7, format: 'png' as const };
  const a = await renderCard(request);
  const b = await renderCard(request);
  assert.equal(a.mimeType, 'image/png');
  assert.ok(a.bytes.equals(b.bytes), 'same seed, same bytes');
  const meta = await sharp(a.bytes).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 640);
  assert.equal(meta.height, 480);
  // Text was drawn: the image is not a flat gradient (many distinct colours).
  const stats = await sharp(a.bytes).stats();
  assert.ok(stats.channels.slice(0, 3).every((c) => c.stdev > 5));

  const other = await renderCard({ ...request, seed: 8 });
  assert.ok(!other.bytes.equals(a.bytes));
  const jpeg = await renderCard({ ...request, format: 'jpeg' });
  assert.equal((await sharp(jpeg.bytes).metadata()).format, 'jpeg');
});

test('markup in the text is drawn as text, never interpreted', async () => {
  const card = await renderCard({ title: '<script>&"x"</script>', lines: ['</svg><rect/>'], width: 256, height: 256, seed: 1, format: 'png' });
  assert.equal((await sharp(card.bytes).metadata()).width, 256);
});
