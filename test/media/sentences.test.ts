import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SentenceStream, splitSentences } from '../../src/media/text/sentences.ts';

test('splits Chinese and English sentences, keeping quotes, decimals and abbreviations', () => {
  assert.deepEqual(splitSentences('你好，旅人。今天想买点什么？“快走！”他说。'), ['你好，旅人。', '今天想买点什么？', '“快走！”', '他说。']);
  assert.deepEqual(splitSentences('Mr. Smith paid 3.14 gold. "Thanks!" he said. Come back soon'), ['Mr. Smith paid 3.14 gold.', '"Thanks!"', 'he said.', 'Come back soon']);
  assert.deepEqual(splitSentences('Wait?! Really... yes.'), ['Wait?!', 'Really...', 'yes.']);
  assert.deepEqual(splitSentences('line one\nline two'), ['line one', 'line two']);
  assert.deepEqual(splitSentences('  '), []);
});

test('streamed text yields each sentence once it is certain, and the same sentences as a whole split', () => {
  const text = '欢迎来到铁匠铺。Sharp blades cost 12.5 gold! 你要哪一把？Take your time.';
  for (const size of [1, 2, 3, 7]) {
    const stream = new SentenceStream();
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(...stream.push(text.slice(i, i + size)));
    out.push(...stream.flush());
    assert.deepEqual(out, splitSentences(text), `chunk size ${size}`);
  }
  const stream = new SentenceStream();
  assert.deepEqual(stream.push('Price is 12.'), []); // could be 12.5
  assert.deepEqual(stream.push('5 gold. Next'), ['Price is 12.5 gold.']);
  assert.deepEqual(stream.push('？'), []); // a closing quote could still follow
  assert.deepEqual(stream.push('好'), ['Next？']);
});
