import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import tonejs from '@tonejs/midi';
import { runCli } from '../helpers/cli.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const { Midi } = tonejs;
const homes: string[] = [];
after(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }); });
const env = { SHENBI_TEXT_MODEL: 'stories260k' };

interface RunJson {
  job: { status: string; outputs: Record<string, unknown> };
  artifacts: { id: string; path: string; mimeType: string; kind: string; labels: { type: string }[] }[];
}

async function blessingSong(seed: number): Promise<RunJson> {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-song-cli-'));
  homes.push(home);
  assert.equal((await runCli(['models', 'import', join(TESTDATA, 'stories260K.gguf'), '--name', 'stories260k'], { home })).status, 0);
  const r = await runCli(['--json', 'run', 'blessing-song', '--set', 'recipient=Mom', '--set', 'wish=good health and a happy new year', '--set', `seed=${seed}`], { home, env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

test('blessing-song end to end: a labeled song file, lyric sheet and MIDI; the same seed gives the same MIDI in a fresh home', async () => {
  const first = await blessingSong(11);
  assert.equal(first.job.status, 'completed');
  const song = first.artifacts.find((a) => a.mimeType === 'audio/mpeg');
  const lrc = first.artifacts.find((a) => a.kind === 'subtitle');
  const midi = first.artifacts.find((a) => a.kind === 'midi');
  assert.ok(song && lrc && midi, 'song, lyric sheet and MIDI');
  for (const a of [song, lrc, midi]) assert.ok(a.labels.some((l) => l.type.startsWith('aigc')), `${a.kind} is labeled`);
  assert.match(readFileSync(lrc.path, 'utf8'), /^\[\d\d:\d\d\.\d\d\]/m);
  const parsed = new Midi(readFileSync(midi.path));
  assert.ok(parsed.tracks.find((t) => t.name === 'Melody')!.notes.length > 8);
  assert.ok(Number(first.job.outputs.duration) > 10);

  const second = await blessingSong(11);
  const midi2 = second.artifacts.find((a) => a.kind === 'midi')!;
  // The music is identical, and so is the file: the ProduceID names the content, not the artifact.
  const music = (path: string) =>
    new Midi(readFileSync(path)).tracks.map((t) => ({ name: t.name, program: t.instrument.number, notes: t.notes.map((n) => [n.midi, n.ticks, n.durationTicks, n.velocity]) }));
  assert.deepEqual(music(midi2.path), music(midi.path));
  const produceIds = [midi, midi2].map((m) => /"ProduceID":"([^"]+)"/.exec(readFileSync(m.path, 'latin1'))?.[1]);
  assert.match(produceIds[0] ?? '', /^pid_[0-9a-f]{32}$/);
  assert.equal(produceIds[1], produceIds[0]);
  assert.ok(readFileSync(midi.path).equals(readFileSync(midi2.path)), 'the same seed gives the same MIDI bytes');
});

test('song from my own lyrics; bad style or empty lyrics are usage errors', async () => {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-song-cli-'));
  homes.push(home);
  const ok = await runCli(['--json', 'run', 'song', '--set', 'lyrics=新年快乐\n万事如意', '--set', 'format=wav', '--set', 'vocals=spoken'], { home });
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok((JSON.parse(ok.stdout) as RunJson).artifacts.some((a) => a.mimeType === 'audio/wav'));
  const badTempo = await runCli(['run', 'song', '--set', 'lyrics=新年快乐', '--set', 'tempo=500'], { home });
  assert.notEqual(badTempo.status, 0);
  assert.match(badTempo.stderr, /INVALID_INPUT|impossible tempo/);
  const empty = await runCli(['run', 'song', '--set', 'lyrics=。。'], { home });
  assert.notEqual(empty.status, 0);
  assert.match(empty.stderr, /empty/);
});
