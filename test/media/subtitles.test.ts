import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { TimedText } from '../../src/core/timing.ts';
import {
  cuesFromSentences,
  cuesFromWords,
  parseAss,
  parseLrc,
  parseSrt,
  parseVtt,
  writeAss,
  writeLrc,
  writeSrt,
  writeVtt,
  type Cue,
} from '../../src/media/subtitles/index.ts';

const CUES: Cue[] = [
  { start: 0.5, end: 2.25, lines: ['你好，旅人。', '今天想买点什么？'] },
  { start: 2.3, end: 4.001, lines: ['Sharp blades cost 12.5 gold, friend.'] },
  { start: 3723.456, end: 3725.999, lines: ['More than an hour in', '一小时以后'] },
];

function assertCuesClose(actual: Cue[], expected: Cue[], precision: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((cue, i) => {
    const want = expected[i]!;
    assert.ok(Math.abs(cue.start - want.start) <= precision / 2 + 1e-9, `cue ${i} start ${cue.start} vs ${want.start}`);
    assert.ok(Math.abs(cue.end - want.end) <= precision / 2 + 1e-9, `cue ${i} end ${cue.end} vs ${want.end}`);
    assert.deepEqual(cue.lines, want.lines, `cue ${i} lines`);
  });
}

function expectInvalid(fn: () => unknown, line?: number): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ShenbiError);
    assert.equal(error.code, 'MEDIA_INVALID');
    if (line !== undefined) assert.match(error.message, new RegExp(`line ${line}\\b`));
    return true;
  });
}

test('SRT round trip keeps times to the millisecond, multi-line, Chinese and past one hour', () => {
  const text = writeSrt(CUES);
  assert.match(text, /^1\n00:00:00,500 --> 00:00:02,250\n你好，旅人。\n今天想买点什么？\n\n2\n/);
  assert.match(text, /01:02:03,456 --> 01:02:05,999/);
  assertCuesClose(parseSrt(text), CUES, 0.001);
});

test('SRT reader tolerates BOM, CRLF, dots, missing numbers and blank lines, and formatting tags', () => {
  const messy = '\uFEFF1\r\n00:00:01.5 --> 00:00:02,000\r\n<i>Hello</i>\r\nworld  \r\n2\r\n0:00:03,000 --> 0:00:04,000 X1:10\r\n{\\an8}第二条\r\n\r\n\r\n00:00:05,000 --> 00:00:06,000\r\nlast';
  assert.deepEqual(parseSrt(messy), [
    { start: 1.5, end: 2, lines: ['Hello', 'world'] },
    { start: 3, end: 4, lines: ['第二条'] },
    { start: 5, end: 6, lines: ['last'] },
  ]);
  assert.deepEqual(parseSrt(''), []);
});

test('malformed SRT timing is MEDIA_INVALID naming the line', () => {
  expectInvalid(() => parseSrt('1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 -> 00:00:04,000\nbad\n'), 6);
  expectInvalid(() => parseSrt('1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:61:03,000 --> 00:00:04,000\nbad\n'), 6);
  expectInvalid(() => parseSrt('just some text\n'), 1);
  expectInvalid(() => parseSrt('1\n00:00:05,000 --> 00:00:04,000\nends before it starts\n'), 2);
});

test('WebVTT round trip escapes markup characters and keeps times', () => {
  const cues = [...CUES, { start: 10, end: 11, lines: ['a < b && c > d', '<i>not a tag</i>'] }];
  const text = writeVtt(cues);
  assert.ok(text.startsWith('WEBVTT\n\n'));
  assert.match(text, /a &lt; b &amp;&amp; c &gt; d/);
  assertCuesClose(parseVtt(text), cues, 0.001);
});

test('WebVTT reader skips NOTE/STYLE blocks, reads identifiers, short times and cue settings', () => {
  const text = [
    'WEBVTT - Shenbi test',
    'Kind: captions',
    '',
    'STYLE',
    '::cue { color: yellow }',
    '',
    'NOTE a comment',
    'spanning lines',
    '',
    'intro',
    '00:01.000 --> 00:02.500 align:start position:10%',
    '<v Narrator>Hello <b>there</b></v>',
    '',
    '01:00:00.000 --> 01:00:01.000',
    'R&amp;D &lt;3',
  ].join('\r\n');
  assert.deepEqual(parseVtt(text), [
    { start: 1, end: 2.5, lines: ['Hello there'] },
    { start: 3600, end: 3601, lines: ['R&D <3'] },
  ]);
  expectInvalid(() => parseVtt('1\n00:01.000 --> 00:02.000\nno header'), 1);
  expectInvalid(() => parseVtt('WEBVTT\n\nid\n00:01.000 --> 00:0x.000\ntext'), 4);
});

test('ASS round trip: centiseconds, \\N line breaks, commas, braces and backslashes shown literally', () => {
  const cues: Cue[] = [
    ...CUES,
    { start: 5, end: 6.5, lines: ['a, b, c', 'x {\\b1} y \\N z', 'C:\\new\\h{}\\'] },
  ];
  const text = writeAss(cues, { fontSize: 48, primaryColour: '#FFCC00' });
  assert.match(text, /^\[Script Info\]\n/);
  assert.match(text, /\nStyle: Default,Noto Sans CJK SC,48,&H0000CCFF,/);
  assert.match(text, /\nDialogue: 0,0:00:00\.50,0:00:02\.25,Default,,0,0,0,,你好，旅人。\\N今天想买点什么？\n/);
  assert.match(text, /\nDialogue: 0,1:02:03\.46,1:02:06\.00,/);
  // No raw brace reaches the renderer, so nothing is taken for an override tag.
  const event = text.split('\n').find((l) => l.includes('a, b, c'))!;
  assert.doesNotMatch(event.replace(/\\[{}]/g, ''), /[{}]/);
  assertCuesClose(parseAss(text), cues, 0.01);
});

test('ASS reader strips override tags, follows the Format line and reports bad times', () => {
  const text = [
    '[Script Info]',
    'ScriptType: v4.00+',
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Actor, MarginL, MarginR, MarginV, Effect, Text',
    'Comment: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,hidden',
    'Dialogue: 0,0:00:01.00,0:00:02.50,Default,Bob,0,0,0,,{\\pos(10,20)\\b1}Hello{\\b0}, world\\nsecond\\Nthird',
    'Dialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,',
  ].join('\n');
  assert.deepEqual(parseAss(text), [
    { start: 1, end: 2.5, lines: ['Hello, world', 'second', 'third'] },
    { start: 3, end: 4, lines: [] },
  ]);
  const reordered = '[Events]\nFormat: Start, End, Text\nDialogue: 0:00:01.00,0:00:02.00,a,b\n';
  assert.deepEqual(parseAss(reordered), [{ start: 1, end: 2, lines: ['a,b'] }]);
  expectInvalid(() => parseAss('[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:xx.00,0:00:02.00,Default,,0,0,0,,a'), 3);
  expectInvalid(() => parseAss('not a script'));
});

test('ASS options are validated', () => {
  assert.throws(() => writeAss(CUES, { fontName: 'Bad, Font' }), (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT');
  assert.throws(() => writeAss(CUES, { primaryColour: 'red' }), (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT');
});

test('LRC round trip: line stamps, end markers, enhanced word stamps, metadata and past one hour', () => {
  const lines: TimedText[] = [
    { text: 'Happy birthday to you', start: 1.2, end: 4.5 },
    { text: '祝你生日快乐', start: 4.5, end: 8 },
    { text: 'Long after an hour', start: 3700.25, end: 3705 },
  ];
  const words: TimedText[][] = [
    [
      { text: 'Happy', start: 1.2, end: 1.8 },
      { text: 'birthday', start: 1.8, end: 2.9 },
      { text: 'to', start: 3.1, end: 3.4 },
      { text: 'you', start: 3.4, end: 4.5 },
    ],
    [
      { text: '祝你', start: 4.5, end: 5.5 },
      { text: '生日', start: 5.5, end: 6.5 },
      { text: '快乐', start: 6.5, end: 8 },
    ],
  ];
  const text = writeLrc(lines, { title: '生日歌', artist: 'Shenbi', words });
  assert.match(text, /^\[ti:生日歌\]\n\[ar:Shenbi\]\n\[00:01\.20\]<00:01\.20>Happy <00:01\.80>birthday<00:02\.90> <00:03\.10>to /);
  assert.match(text, /\n\[61:40\.25\]Long after an hour\n\[61:45\.00\]\n$/);
  const doc = parseLrc(text);
  assert.equal(doc.tags.ti, '生日歌');
  assert.equal(doc.tags.ar, 'Shenbi');
  assert.equal(doc.lines.length, 3);
  doc.lines.forEach((line, i) => {
    assert.equal(line.text, lines[i]!.text);
    assert.ok(Math.abs(line.start - lines[i]!.start) < 0.006);
    assert.ok(Math.abs(line.end! - lines[i]!.end) < 0.006);
  });
  for (const [i, expected] of words.entries()) {
    const got = doc.lines[i]!.words!;
    assert.deepEqual(got.map((w) => w.text), expected.map((w) => w.text));
    got.forEach((w, k) => {
      assert.ok(Math.abs(w.start - expected[k]!.start) < 0.006 && Math.abs(w.end - expected[k]!.end) < 0.006, `line ${i} word ${k}`);
    });
  }
  assert.equal(doc.lines[2]!.words, undefined);
});

test('LRC reader: several stamps on a line, offsets, length, odd stamp forms and bad input', () => {
  const text = '[ar:Someone]\n[length: 01:10]\n[offset:+500]\n[00:10.00][00:30.5]Chorus [la la]\n[00:20:50]Verse\n[01:00.123]Outro\n';
  const doc = parseLrc(text);
  assert.equal(doc.length, 70);
  assert.equal(doc.tags.offset, '+500');
  assert.deepEqual(
    doc.lines.map((l) => [l.text, l.start, l.end]),
    [
      ['Chorus [la la]', 9.5, 20],
      ['Verse', 20, 30],
      ['Chorus [la la]', 30, 59.623],
      ['Outro', 59.623, 70],
    ],
  );
  const last = parseLrc('[00:01.00]only line');
  assert.equal(last.lines[0]!.end, undefined);
  expectInvalid(() => parseLrc('[00:01.00]fine\n[00:9x.00]broken\n'), 2);
  expectInvalid(() => parseLrc('plain text with no stamps'));
});

/** Words of a text with even timing; CJK by two characters, others by spaces. */
function timedWords(text: string, perWord: number, gapAfter: (word: string) => number = () => 0.02): TimedText[] {
  const pieces = /\s/.test(text) ? text.split(/\s+/) : (text.match(/.{1,2}/gsu) ?? []);
  let t = 0.3;
  return pieces.map((piece) => {
    const word = { text: piece, start: t, end: t + perWord };
    t += perWord + gapAfter(piece);
    return word;
  });
}

const CLOSERS = /^[，。！？、；：”’）》」』,.!?;:)\]]/u;

function checkSegmentation(cues: Cue[], words: TimedText[], maxChars: number, maxLines: number, minDuration: number, maxDuration: number, joiner: string): void {
  assert.ok(cues.length > 0);
  cues.forEach((cue, i) => {
    assert.ok(cue.lines.length >= 1 && cue.lines.length <= maxLines, `cue ${i} has ${cue.lines.length} lines`);
    for (const line of cue.lines) {
      assert.ok([...line].length <= maxChars, `line too long: "${line}"`);
      assert.doesNotMatch(line, CLOSERS, `line starts with closing punctuation: "${line}"`);
      assert.equal(line, line.trim());
      if (joiner === '') assert.doesNotMatch(line, / /, 'no spaces inserted in Chinese');
      else assert.doesNotMatch(line, / {2}/);
    }
    assert.ok(cue.end - cue.start <= maxDuration + 1e-9, `cue ${i} lasts ${cue.end - cue.start}`);
    const next = cues[i + 1];
    if (next !== undefined) {
      assert.ok(cue.end <= next.start + 1e-9, `cue ${i} overlaps the next`);
      // Short only when the next cue leaves no room to extend.
      if (cue.end - cue.start < minDuration - 1e-9) assert.ok(Math.abs(cue.end - next.start) < 1e-9, `cue ${i} too short`);
    } else assert.ok(cue.end - cue.start >= minDuration - 1e-9);
  });
  // Every word, in order, and nothing else.
  assert.equal(cues.map((c) => c.lines.join(joiner)).join(joiner), words.map((w) => w.text).join(joiner));
  assert.ok(Math.abs(cues[0]!.start - words[0]!.start) < 1e-9);
}

const ZH =
  '春天来了，公园里的花都开了。红的像火，粉的像霞，白的像雪！小朋友们在草地上放风筝、踢足球、捉迷藏，玩得非常开心。你也想一起去看看吗？那就快点出发吧，别让美好的时光悄悄溜走。';
const EN =
  'The old blacksmith looked up from his anvil and smiled. "Welcome, traveller, you look tired from the road!" He wiped his hands, set down the hammer, and pointed at the rack of swords by the door. Every blade there was folded a hundred times, he said, and none had ever broken in battle. Would you like to hold one?';

test('Chinese words become cues of at most 16 characters, 2 lines, broken at punctuation', () => {
  const words = timedWords(ZH, 0.28);
  const cues = cuesFromWords(words);
  checkSegmentation(cues, words, 16, 2, 0.8, 7, '');
  // Sentence ends are preferred: most cues end at 。！？ (or at least a clause mark).
  const enders = cues.filter((c) => /[。！？，、]$/.test(c.lines[c.lines.length - 1]!)).length;
  assert.ok(enders >= cues.length - 1, `${enders} of ${cues.length} cues end at punctuation`);
  // Punctuation delivered as separate tokens still never starts a line.
  const split = words.flatMap((w) => {
    const m = /^(.*?)([，。！？、]+)$/u.exec(w.text);
    return m === null || m[1] === '' ? [w] : [{ ...w, text: m[1]! }, { text: m[2]!, start: w.end, end: w.end }];
  });
  checkSegmentation(cuesFromWords(split, { maxCharsPerLine: 10 }), split, 10, 2, 0.8, 7, '');
});

test('English words become cues of at most 42 characters per line, single spaces, sentence breaks first', () => {
  const words = timedWords(EN, 0.25, (w) => (/[,.!?]$/.test(w) ? 0.6 : 0.03));
  const cues = cuesFromWords(words);
  checkSegmentation(cues, words, 42, 2, 0.8, 7, ' ');
  assert.ok(cues.some((c) => c.lines.length === 2));
  for (const cue of cues) assert.match(cue.lines[cue.lines.length - 1]!, /[,.!?"]$/, `cue ends mid-phrase: ${cue.lines.join(' / ')}`);
  const tight = cuesFromWords(words, { maxCharsPerLine: 20, maxLines: 1, maxDuration: 3 });
  checkSegmentation(tight, words, 20, 1, 0.8, 3, ' ');
});

test('short cues are extended into the gap but never over the next cue; long stretches are split', () => {
  const words: TimedText[] = [
    { text: 'Yes.', start: 1, end: 1.2 },
    { text: 'No.', start: 1.5, end: 1.7 },
    { text: 'Maybe.', start: 5, end: 5.3 },
  ];
  const cues = cuesFromWords(words, { minDuration: 0.8 });
  assert.deepEqual(cues.map((c) => [c.lines, c.start, c.end]), [
    [['Yes.'], 1, 1.5],
    [['No.'], 1.5, 2.3],
    [['Maybe.'], 5, 5.8],
  ]);
  // One long sentence without punctuation, spoken slowly: split by the 7 s limit.
  const slow = timedWords('一二三四五六七八九十一二三四五六七八九十', 0.9);
  const slowCues = cuesFromWords(slow);
  checkSegmentation(slowCues, slow, 16, 2, 0.8, 7, '');
  assert.ok(slowCues.length >= 2);
});

test('sentences without word timings are split proportionally in time', () => {
  const sentences: TimedText[] = [
    { text: ZH.slice(0, 48), start: 0, end: 12 },
    { text: 'Short one.', start: 12.5, end: 13.5 },
    { text: EN, start: 14, end: 40 },
  ];
  const cues = cuesFromSentences(sentences, { cjk: false });
  for (const cue of cues) for (const line of cue.lines) assert.ok([...line].length <= 42);
  for (let i = 1; i < cues.length; i++) assert.ok(cues[i - 1]!.end <= cues[i]!.start + 1e-9);
  for (const cue of cues) assert.ok(cue.end - cue.start <= 7 + 1e-9);
  const zhCues = cuesFromSentences([{ text: ZH, start: 0, end: 30 }]);
  assert.equal(zhCues.map((c) => c.lines.join('')).join(''), ZH);
  for (const cue of zhCues) for (const line of cue.lines) {
    assert.ok([...line].length <= 16);
    assert.doesNotMatch(line, CLOSERS);
  }
  // Time is shared by text: the cue holding the first half of the text ends near the middle.
  const first = zhCues[0]!;
  const share = first.lines.join('').replace(/[，。！？、]/g, '').length / ZH.replace(/[，。！？、]/g, '').length;
  assert.ok(Math.abs(first.end - 30 * share) < 0.5, `first cue ends at ${first.end}, expected about ${30 * share}`);
  assert.equal(cuesFromSentences([{ text: 'Hello there, general.', start: 0, end: 2 }])[0]!.lines.join(' '), 'Hello there, general.');
});

test('bad words and options are INVALID_INPUT', () => {
  const invalid = (e: unknown): boolean => e instanceof ShenbiError && e.code === 'INVALID_INPUT';
  assert.throws(() => cuesFromWords([{ text: 'a', start: 2, end: 1 }]), invalid);
  assert.throws(() => cuesFromWords([{ text: 'a', start: 2, end: 3 }, { text: 'b', start: 1, end: 2 }]), invalid);
  assert.throws(() => cuesFromWords([], { maxLines: 0 }), invalid);
  assert.throws(() => writeSrt([{ start: -1, end: 1, lines: ['x'] }]), invalid);
  assert.deepEqual(cuesFromWords([]), []);
});

test('Debian ffmpeg reads our SRT with the same cue times and text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shenbi-srt-'));
  try {
    const file = join(dir, 'cues.srt');
    const cues: Cue[] = [
      { start: 0.5, end: 2.25, lines: ['你好，旅人。', '今天想买点什么？'] },
      { start: 2.3, end: 4.001, lines: ['Sharp blades cost 12.5 gold, friend.'] },
      { start: 3723.456, end: 3725.999, lines: ['More than an hour in'] },
    ];
    writeFileSync(file, writeSrt(cues));
    const vtt = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'webvtt', '-'], { encoding: 'utf8' });
    assertCuesClose(parseVtt(vtt), cues, 0.001);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
