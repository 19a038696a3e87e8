import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createEspeakEngine, type EspeakEngine } from '../../src/engines/espeak/index.ts';
import { parseSrt, parseVtt, type Cue } from '../../src/media/subtitles/index.ts';
import { narrationCues, punctuateWords, type NarratedScene } from '../../src/media/subtitles/narration-cues.ts';
import { Shenbi } from '../../src/shenbi.ts';

/** Scenes as an article-to-video script has them: several sentences each, with clause punctuation, a question, quotes. */
const CHINESE = [
  '春节是中国最重要的传统节日。每到腊月，外出工作的人们纷纷踏上回家的路，车站里挤满了提着大包小包的旅客。',
  '除夕夜，一家人围坐在一起吃年夜饭。饺子象征着团圆，鱼则寓意“年年有余”。你知道为什么要守岁吗？',
  '大年初一，孩子们穿上新衣服，给长辈拜年，收到红包时笑得合不拢嘴！',
];
const ENGLISH = [
  'The old lighthouse stood at the edge of the cliff for two hundred years. Every night, its keeper climbed the narrow stairs to light the lamp.',
  'One winter, a storm broke the great lens. "We cannot leave the ships in the dark," the keeper said, and he worked until dawn to mend it.',
  'Why does this story matter today? Because small, patient work still keeps people safe.',
];
const GAP = 0.4;

let voice: EspeakEngine;
before(() => {
  voice = createEspeakEngine();
});

/** Each scene spoken on its own, laid end to end with a gap, as the narrated video does. */
async function narrate(texts: readonly string[]): Promise<NarratedScene[]> {
  const scenes: NarratedScene[] = [];
  let offset = 0;
  for (const text of texts) {
    const { audio, words } = await voice.synthesize({ text });
    const length = audio.samples.length / audio.sampleRate + GAP;
    scenes.push({ text, words: words.map((w) => ({ ...w, start: w.start + offset, end: w.end + offset })), start: offset, end: offset + length });
    offset += length;
  }
  return scenes;
}

/** Letters only: what must be said in a cue, whatever its punctuation and spacing. */
const letters = (text: string) => text.replace(/[\s\p{P}\p{S}]/gu, '');
const graphemes = (text: string) => [...text].length;

function checkCues(cues: readonly Cue[], scenes: readonly NarratedScene[], maxChars: number): void {
  assert.ok(cues.length >= scenes.length * 2, `scenes of several sentences give several cues (${cues.length})`);
  for (const [s, scene] of scenes.entries()) {
    const own = cues.filter((cue) => cue.start >= scene.start - 1e-6 && cue.start < scene.end);
    // Every cue lies inside its scene, so nothing of the next scene shows early.
    for (const cue of own) assert.ok(cue.end <= scene.end + 1e-6, `cue "${cue.lines.join(' / ')}" ends at ${cue.end.toFixed(2)}, after scene ${s + 1} (${scene.end.toFixed(2)})`);
    const firstWord = scene.words[0]!.start;
    for (const cue of own) assert.ok(cue.start >= firstWord - 1e-6, `cue "${cue.lines.join(' / ')}" shows before scene ${s + 1} speaks`);
    // The scene's cues say exactly the scene's words, in order: no word of another scene.
    assert.equal(letters(own.map((c) => c.lines.join('')).join('')), letters(scene.text), `scene ${s + 1}`);
  }
  for (const [k, cue] of cues.entries()) {
    assert.ok(cue.lines.length >= 1 && cue.lines.length <= 2, `cue ${k}: ${cue.lines.length} lines`);
    for (const line of cue.lines) assert.ok(graphemes(line) <= maxChars, `"${line}" is ${graphemes(line)} characters (max ${maxChars})`);
    assert.ok(cue.end - cue.start >= 5 / 6 - 1e-6, `cue ${k} "${cue.lines.join(' / ')}" lasts ${(cue.end - cue.start).toFixed(3)} s`);
    if (k > 0) assert.ok(cue.start >= cues[k - 1]!.end - 1e-6, `cue ${k} overlaps the one before`);
  }
}

test('punctuation comes back onto the voice\'s bare words: closing marks to the word before, opening ones to the word after', () => {
  const words = ['He', 'said', 'Look', 'Then', 'left'].map((text, i) => ({ text, start: i, end: i + 1 }));
  assert.deepEqual(punctuateWords('He said, "Look!" Then left.', words).map((w) => w.text), ['He', 'said,', '"Look!"', 'Then', 'left.']);
  const chinese = ['你', '知道', '年年', '有', '余', '吗'].map((text, i) => ({ text, start: i, end: i + 1 }));
  assert.deepEqual(punctuateWords('你知道“年年有余”吗？', chinese).map((w) => w.text), ['你', '知道', '“年年', '有', '余”', '吗？']);
  // A word the voice says differently ("3" as "three") keeps its spoken form; nothing skipped is glued on.
  const spoken = ['It', 'costs', 'three', 'coins'].map((text, i) => ({ text, start: i, end: i + 1 }));
  assert.deepEqual(punctuateWords('It costs 3 coins.', spoken).map((w) => w.text), ['It', 'costs', 'three', 'coins.']);
});

test('a Chinese article, scene by scene (real eSpeak timings): no cue spans two scenes, ≤ 16 characters a line, ≥ 0.83 s, Chinese punctuation norms', async () => {
  const scenes = await narrate(CHINESE);
  const cues = narrationCues(scenes);
  checkCues(cues, scenes, 16);
  const lines = cues.flatMap((c) => c.lines);
  assert.ok(lines.every((line) => !/[，。、；：]$/.test(line)), 'no line ends with ，。、；：');
  assert.ok(lines.every((line) => !/[，。]/.test(line)), 'full stops and commas are not displayed');
  assert.ok(lines.some((line) => line.endsWith('吗？')), 'the question keeps its ？');
  assert.ok(lines.some((line) => line.endsWith('！')), 'the exclamation keeps its ！');
  assert.ok(lines.some((line) => line.includes('“年年有余”')) || lines.some((line) => line.includes('“年年')), 'quotes are kept');
  // Cues break at sentence ends: each sentence starts a line.
  for (const sentenceStart of ['每到腊月', '饺子象征着', '你知道为什么']) {
    assert.ok(lines.some((line) => line.startsWith(sentenceStart)), `a line starts with the sentence "${sentenceStart}…"`);
  }
});

test('an English article: no cue spans two scenes, ≤ 42 characters a line, ≥ 0.83 s, punctuation kept, sentences start lines', async () => {
  const scenes = await narrate(ENGLISH);
  const cues = narrationCues(scenes);
  checkCues(cues, scenes, 42);
  const lines = cues.flatMap((c) => c.lines);
  assert.ok(lines.some((line) => line.endsWith('years.')), 'full stops are kept');
  assert.ok(lines.some((line) => line.endsWith('today?')), 'the question mark is kept');
  assert.ok(lines.some((line) => line.startsWith('"We cannot')), 'the opening quote stays with its word');
  for (const sentenceStart of ['Every night,', 'One winter,', 'Because small,']) {
    assert.ok(lines.some((line) => line.startsWith(sentenceStart)), `a line starts with "${sentenceStart}"`);
  }
});

const dir = mkdtempSync(join(tmpdir(), 'shenbi-narration-cues-'));
let shenbi: Shenbi | undefined;
after(async () => {
  await shenbi?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the narrated video writes its subtitles beside it as SRT and WebVTT, the cues scene by scene', async () => {
  shenbi = await Shenbi.open({ overrides: { home: join(dir, 'home') }, env: process.env });
  const narration = ['除夕夜，一家人围坐在一起吃年夜饭。你知道为什么要守岁吗？', '大年初一，孩子们给长辈拜年！'];
  const script = { title: '春节', scenes: narration.map((text, i) => ({ narration: text, caption: `第${i + 1}幕` })) };
  const job = await shenbi.run(
    { id: 'narrated-test', title: 'narrated', steps: [{ id: 'video', uses: 'video.narrated', with: { script, resolution: '720p', aspect: '1:1' } }], outputs: { video: { $from: 'video.video' }, subtitles: { $from: 'video.subtitles' }, webvtt: { $from: 'video.webvtt' } } },
    {},
  );
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const srt = await shenbi.store.artifacts.read(String(job.outputs?.subtitles));
  const vtt = await shenbi.store.artifacts.read(String(job.outputs?.webvtt));
  assert.equal(srt.artifact.name, '春节.srt');
  assert.ok(srt.artifact.mimeType.startsWith('application/x-subrip'));
  assert.ok(vtt.artifact.mimeType.startsWith('text/vtt'));
  const fromVtt = parseVtt(vtt.bytes.toString('utf8'));
  // The SRT may carry the AI notice as a cue of its own; the narration's cues are the same as the VTT's.
  const fromSrt = parseSrt(srt.bytes.toString('utf8')).filter((cue) => !/人工智能生成|AI-generated/.test(cue.lines.join(' ')));
  assert.deepEqual(fromSrt.map((c) => c.lines), fromVtt.map((c) => c.lines));
  assert.ok(fromVtt.length >= 3, `${fromVtt.length} cues`);
  // Each cue's words come from one scene only, and all of the narration is there.
  for (const cue of fromVtt) {
    const said = letters(cue.lines.join(''));
    assert.equal(narration.filter((scene) => letters(scene).includes(said)).length, 1, `"${cue.lines.join(' / ')}" belongs to one scene`);
  }
  assert.equal(letters(fromVtt.map((c) => c.lines.join('')).join('')), letters(narration.join('')));
});
