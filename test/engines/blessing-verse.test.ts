import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeVerse, themeOf } from '../../src/engines/blessing-verse/index.ts';
import { ZH_LINES } from '../../src/engines/blessing-verse/phrases.ts';

test('themes come from the wish, in Chinese and English', () => {
  assert.equal(themeOf('身体健康'), 'health');
  assert.equal(themeOf('金榜题名，考试顺利'), 'study');
  assert.equal(themeOf('a happy birthday'), 'birthday');
  assert.equal(themeOf('whatever'), 'general');
});

test('a Chinese wish gives four distinct seven-character lines, the same for the same seed', () => {
  const a = composeVerse({ recipient: '妈妈', wish: '身体健康', language: 'auto', seed: 42 });
  const b = composeVerse({ recipient: '妈妈', wish: '身体健康', language: 'auto', seed: 42 });
  assert.deepEqual(a, b);
  assert.equal(a.language, 'zh');
  assert.equal(a.lines.length, 4);
  assert.equal(new Set(a.lines).size, 4);
  for (const line of a.lines) assert.equal([...line].length, 7, line);
  assert.ok(a.lines.slice(0, 2).every((l) => ZH_LINES.health.includes(l)));
  assert.equal(a.title, '致妈妈：身体健康');
});

test('different seeds give different verses, and no seed derives one from the request', () => {
  const verses = new Set(
    Array.from({ length: 12 }, (_, seed) => composeVerse({ recipient: '爸爸', wish: '新年快乐', language: 'zh', seed }).lines.join()),
  );
  assert.ok(verses.size > 1);
  const derived = composeVerse({ recipient: 'Ada', wish: 'success at work', language: 'auto' });
  assert.equal(derived.language, 'en');
  assert.equal(derived.theme, 'career');
  assert.equal(derived.seed, composeVerse({ recipient: 'Ada', wish: 'success at work', language: 'auto' }).seed);
});
