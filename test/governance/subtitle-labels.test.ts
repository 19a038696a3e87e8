import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TimedText } from '../../src/core/timing.ts';
import { SUBTITLE_NOTICE_SECONDS } from '../../src/governance/explicit/subtitle.ts';
import { labelText } from '../../src/governance/explicit/text.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { parseSrt, writeSrt, writeVtt } from '../../src/media/subtitles/index.ts';
import { subtitleFile } from '../../src/pipelines/steps/speech/subtitle-formats.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { runCli } from '../helpers/cli.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-subtitle-labels-'));
after(() => rmSync(home, { recursive: true, force: true }));

const WORDING = '本内容由人工智能生成 (AI-generated)';
const SCRIPT = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

test('every subtitle format Shenbi writes verifies as labeled; an SRT carries a shown notice cue and its cues are untouched', { timeout: 300_000 }, async () => {
  const shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [TESTDATA] } });
  const files = new Map<string, { path: string; bytes: Buffer; timings: { words: TimedText[]; sentences: TimedText[] } }>();
  try {
    for (const format of ['srt', 'vtt', 'ass', 'lrc']) {
      const job = await shenbi.generate('transcription', { audio: join(TESTDATA, 'jfk.wav'), transcript: SCRIPT, format });
      assert.equal(job.status, 'completed', JSON.stringify(job.error));
      const artifacts = await shenbi.store.artifacts.list({ limit: 1000 });
      const mine = artifacts.filter((a) => a.jobId === job.id);
      const subtitle = mine.find((a) => a.kind === 'subtitle')!;
      const timings = mine.find((a) => a.mimeType.startsWith('application/json'))!;
      const path = (await shenbi.store.blobs.localPath(subtitle.blobRef));
      files.set(format, { path, bytes: readFileSync(path), timings: JSON.parse(readFileSync((await shenbi.store.blobs.localPath(timings.blobRef)), 'utf8')) });
    }
  } finally {
    await shenbi.close();
  }

  for (const [format, file] of files) {
    const report = await verifyLabels(file.bytes);
    assert.equal(report.verdict, 'labeled', `${format}: ${report.problems.join('; ')}`);
    if (format !== 'srt') assert.equal(report.implicit.valid, true, `${format} carries its implicit label in the file`);
  }

  // SRT: the first cue is the notice, shown 0–2.5 s; every other cue is what the aligner wrote.
  const srt = files.get('srt')!;
  const cues = parseSrt(srt.bytes.toString('utf8'));
  assert.deepEqual(cues[0], { start: 0, end: SUBTITLE_NOTICE_SECONDS, lines: [WORDING] });
  assert.deepEqual(cues.slice(1), parseSrt(subtitleFile('srt', srt.timings.words, srt.timings.sentences)));
  assert.match(srt.bytes.toString('utf8'), /^1\n00:00:00,000 --> 00:00:02,500\n/);
  // An independent reader (Debian ffmpeg) reads the same cues, the notice first.
  const ffmpeg = spawnSync('ffmpeg', ['-v', 'error', '-i', srt.path, '-f', 'srt', '-'], { encoding: 'utf8' });
  assert.equal(ffmpeg.status, 0, ffmpeg.stderr);
  assert.equal(parseSrt(ffmpeg.stdout).length, cues.length);
  assert.deepEqual(parseSrt(ffmpeg.stdout)[0]!.lines, [WORDING]);

  // `shenbi verify` on the files: the SRT's notice is reported; a plain SRT and VTT are UNLABELED.
  const plainSrt = join(home, 'plain.srt');
  const plainVtt = join(home, 'plain.vtt');
  const plainCues = [{ start: 0.5, end: 2, lines: ['And so my fellow Americans'] }];
  writeFileSync(plainSrt, writeSrt(plainCues));
  writeFileSync(plainVtt, writeVtt(plainCues));
  const cli = await runCli(['verify', srt.path, files.get('vtt')!.path, plainSrt, plainVtt], { home });
  assert.notEqual(cli.status, 0, 'unlabeled files fail verify');
  const blocks = cli.stdout.split(/\n(?=[A-Z]+ {2})/);
  const verdictOf = (path: string): string => blocks.find((b) => b.includes(path))?.split(/\s/)[0] ?? `missing in ${cli.stdout}`;
  assert.equal(verdictOf(srt.path), 'LABELED', cli.stdout);
  assert.match(blocks.find((b) => b.includes(srt.path))!, /visible text notice: yes/);
  assert.equal(verdictOf(files.get('vtt')!.path), 'LABELED', cli.stdout);
  assert.equal(verdictOf(plainSrt), 'UNLABELED', cli.stdout);
  assert.equal(verdictOf(plainVtt), 'UNLABELED', cli.stdout);
});

test('labelText on SRT: a notice cue first (or after the last cue), renumbered, CRLF kept, never twice; not-SRT text stays beside', async () => {
  const body = writeSrt([
    { start: 1, end: 2.5, lines: ['first'] },
    { start: 3, end: 4.25, lines: ['second', 'two lines'] },
  ]);
  const prefixed = labelText(Buffer.from(body), 'application/x-subrip; charset=utf-8', { wording: WORDING, position: 'prefix' });
  assert.equal(prefixed.record.placement, 'srt-cue-start');
  assert.equal(
    utf8(prefixed.bytes),
    `1\n00:00:00,000 --> 00:00:02,500\n${WORDING}\n\n2\n00:00:01,000 --> 00:00:02,500\nfirst\n\n3\n00:00:03,000 --> 00:00:04,250\nsecond\ntwo lines\n`,
  );
  assert.equal((await verifyLabels(prefixed.bytes)).verdict, 'labeled');
  assert.equal((await verifyLabels(Buffer.from(body))).verdict, 'unlabeled');
  // Re-labeling a labeled file changes nothing.
  assert.equal(utf8(labelText(prefixed.bytes, 'application/x-subrip', { wording: WORDING, position: 'prefix' }).bytes), utf8(prefixed.bytes));

  const suffixed = labelText(Buffer.from(body.replace(/\n/g, '\r\n')), 'text/srt', { wording: 'AI生成', position: 'suffix' });
  assert.equal(suffixed.record.placement, 'srt-cue-end');
  const text = utf8(suffixed.bytes);
  assert.ok(!/[^\r]\n/.test(text), 'CRLF line ends kept');
  assert.deepEqual(parseSrt(text).at(-1), { start: 4.25, end: 4.25 + SUBTITLE_NOTICE_SECONDS, lines: ['AI生成'] });
  assert.match(text, /\r\n3\r\n00:00:04,250 --> 00:00:06,750\r\nAI生成\r\n$/);

  // Bytes that are not SRT cues under an SRT type keep their bytes; the label travels beside them.
  const notSrt = labelText(Buffer.from('just some words\n'), 'application/x-subrip', { wording: WORDING, position: 'prefix' });
  assert.equal(notSrt.record.placement, 'sidecar');
  assert.equal(utf8(notSrt.bytes), 'just some words\n');
});
