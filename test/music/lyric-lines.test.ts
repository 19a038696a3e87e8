import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSetOptions } from '../../src/cli/input.ts';
import { lyricSections } from '../../src/engines/cloud-music/lyric-sections.ts';
import { compose, parseLyrics } from '../../src/engines/composer/index.ts';
import { lyricLines, normalizeLyricBreaks } from '../../src/media/text/lyric-lines.ts';
import { songSecondsBound } from '../../src/server/quota/estimates.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The words a real shell (bash) makes of a command line: quotes removed, a "\n" inside double quotes kept as backslash + n. */
function shellWords(commandLine: string): string[] {
  const result = spawnSync('bash', ['-c', `set -- ${commandLine}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\0').slice(0, -1);
}

/** The `--set` values of a command line, through the CLI's own parser. */
function setOptionsOf(commandLine: string): Record<string, unknown> {
  const words = shellWords(commandLine);
  const pairs = words.flatMap((word, i) => (words[i - 1] === '--set' ? [word] : []));
  return parseSetOptions(pairs);
}

test('the shell passes "新年快乐\\n万事如意" as a backslash and an n, and the song still has two lines without either', () => {
  const input = setOptionsOf('run song --set lyrics="新年快乐\\n万事如意" --set vocals=sung');
  assert.equal(input.lyrics, '新年快乐\\n万事如意', 'bash keeps \\n inside double quotes');
  const song = compose({ lyrics: String(input.lyrics), seed: 1 });
  assert.deepEqual(
    song.lines.map((line) => line.text),
    ['新年快乐', '万事如意'],
  );
  assert.ok(!song.syllables.some((s) => /[\\n]/.test(s.text)), 'no syllable sings the backslash or the n');
});

test("every README command that sets lyrics gives its lines to the composer (the README's exact command form)", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const commands = readme.split('\n').filter((line) => /^shenbi .*--set lyrics=/.test(line));
  assert.ok(commands.length >= 2, 'the README shows lyrics on the command line');
  for (const command of commands) {
    // The comment after the command is not part of it.
    const input = setOptionsOf(command.replace(/^shenbi /, '').replace(/\s+#.*$/, ''));
    const lines = parseLyrics(String(input.lyrics)).map((line) => line.text);
    assert.ok(lines.length >= 2, `${command}: ${JSON.stringify(lines)}`);
    for (const line of lines) assert.doesNotMatch(line, /[\\|/]/, `${command}: a separator was sung`);
  }
});

test('line breaks: newlines, |, / (not inside 24/7 or and/or), a typed \\n or \\r\\n; two in a row start a section', () => {
  assert.deepEqual(lyricLines('新年快乐|万事如意'), ['新年快乐', '万事如意']);
  assert.deepEqual(lyricLines('新年快乐 / 万事如意/身体健康'), ['新年快乐', '万事如意', '身体健康']);
  assert.deepEqual(lyricLines('line one\\nline two\\r\\nline three\r\nline four\rfive'), ['line one', 'line two', 'line three', 'line four', 'five']);
  assert.deepEqual(lyricLines('I love you 24/7 and/or AC/DC / second line'), ['I love you 24/7 and/or AC/DC', 'second line']);
  // Idempotent, so the step and the engine may both normalise.
  const once = normalizeLyricBreaks('a|b/c\\nd 24/7');
  assert.equal(normalizeLyricBreaks(once), once);
  // A double break is a blank line: a new section, as with real newlines.
  assert.deepEqual(
    parseLyrics('新年快乐|万事如意||[Chorus]|岁岁平安').map((line) => [line.text, line.section]),
    [
      ['新年快乐', 'verse 1'],
      ['万事如意', 'verse 1'],
      ['岁岁平安', 'chorus 1'],
    ],
  );
  assert.deepEqual(
    parseLyrics('一二三四||五六七八').map((line) => line.section),
    ['verse 1', 'verse 2'],
  );
  // Cloud music sections and the quota estimate see the same lines.
  assert.deepEqual(lyricSections('[Verse]|新年快乐|万事如意||[Chorus]\\n岁岁平安'), [
    { name: 'Verse', lines: ['新年快乐', '万事如意'] },
    { name: 'Chorus', lines: ['岁岁平安'] },
  ]);
  assert.equal(songSecondsBound('新年快乐|万事如意|岁岁平安'), songSecondsBound('新年快乐\n万事如意\n岁岁平安'));
});
