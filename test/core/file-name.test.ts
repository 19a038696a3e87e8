import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FILE_BASE_MAX, safeFileBase, safeFileName } from '../../src/core/file-name.ts';
import { contentDisposition } from '../../src/server/routes/artifacts.ts';

/** Issue #17 item 6e: file names built from generated titles are cleaned. */

test('generated titles become clean file names: ends trimmed, unsafe characters out, CJK kept, capped, a fallback', () => {
  assert.equal(safeFileName('. Once there was a little s', 'mp3', 'song'), 'Once there was a little s.mp3');
  assert.equal(safeFileBase('  《春晓》—— 祝妈妈：新年快乐！ ', 'song'), '春晓》—— 祝妈妈：新年快乐');
  assert.equal(safeFileBase('a/b\\c:d*e?"f"<g>|h\n\ti', 'x'), 'a b c d e f g h i');
  assert.equal(safeFileBase('../../etc/passwd', 'x'), 'etc passwd');
  assert.equal(safeFileBase('...', 'art_9'), 'art_9');
  assert.equal(safeFileBase('', 'art_9'), 'art_9');
  assert.equal(safeFileBase(undefined, 'song'), 'song');
  assert.equal(safeFileBase('NUL', 'song'), 'song');
  assert.equal(safeFileBase('\u202Egnp.exe', 'x'), 'gnp.exe', 'no bidi overrides');
  const long = safeFileBase('word '.repeat(40), 'x');
  assert.ok(Array.from(long).length <= FILE_BASE_MAX && !long.endsWith(' ') && long.startsWith('word word'), long);
  const cjk = safeFileBase('新'.repeat(100), 'x');
  assert.equal(Array.from(cjk).length, FILE_BASE_MAX);
  const emoji = safeFileBase(`a${'🎵'.repeat(100)}b`, 'x');
  assert.ok(!emoji.includes('\uFFFD') && Array.from(emoji).length <= FILE_BASE_MAX, 'cut between characters, not inside a surrogate pair');
});

test('Content-Disposition: a cleaned name, an ASCII fallback and the UTF-8 name for CJK', () => {
  assert.equal(
    contentDisposition({ id: 'art_1', name: '. Once there was a little s.mp3', mimeType: 'audio/mpeg' }),
    `attachment; filename="Once there was a little s.mp3"; filename*=UTF-8''Once%20there%20was%20a%20little%20s.mp3`,
  );
  assert.equal(contentDisposition({ id: 'art_2', name: '春晓.wav', mimeType: 'audio/wav' }), `attachment; filename="art_2.wav"; filename*=UTF-8''%E6%98%A5%E6%99%93.wav`);
  assert.equal(contentDisposition({ id: 'art_3', name: '"; evil=1.png', mimeType: 'image/png' }), `attachment; filename="evil=1.png"; filename*=UTF-8''evil%3D1.png`);
  assert.equal(contentDisposition({ id: 'art_4', name: null, mimeType: 'image/png' }), `attachment; filename="art_4.png"; filename*=UTF-8''art_4.png`);
});
