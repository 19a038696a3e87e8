import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { runCli } from '../helpers/cli.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-npc-cli-'));
after(() => rmSync(home, { recursive: true, force: true }));
const env = { SHENBI_TEXT_MODEL: 'stories260k' };

test('npc say answers aloud with a labeled WAV, twice with memory; npc forget clears it; a bad scene is a usage error', async () => {
  assert.equal((await runCli(['models', 'import', join(TESTDATA, 'stories260K.gguf'), '--name', 'stories260k'], { home })).status, 0);
  const scene = join(home, 'scene.json');
  writeFileSync(scene, JSON.stringify({ npc: { id: 'guide', name: '向导', persona: '帮助玩家完成任务的向导。', language: 'zh' }, world: 'Deadwood小镇中央', quest: '打开银行后台的保险箱', player: 'p1' }));
  for (const message of ['我现在在哪，我应该做什么？', '钥匙在哪里？']) {
    const r = await runCli(['--json', 'npc', 'say', '--scene', scene, message], { home, env });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { job: { outputs: { text: string } }; artifacts: { mimeType: string; path: string; labels: { type: string }[] }[] };
    assert.ok(out.job.outputs.text.length > 0);
    const wav = out.artifacts.find((a) => a.mimeType === 'audio/wav');
    assert.ok(wav, 'a WAV artifact');
    const audio = decodeWav(readFileSync(wav.path));
    assert.ok(audio.samples.length / audio.sampleRate > 0.5);
    assert.ok(wav.labels.some((l) => l.type.startsWith('aigc')), 'the audio carries the AIGC label record');
  }
  const forget = await runCli(['--json', 'npc', 'forget', '--scene', scene], { home });
  assert.equal(forget.status, 0, forget.stderr);
  assert.deepEqual(JSON.parse(forget.stdout), { cleared: 'npc:guide:p1' });

  const bad = await runCli(['npc', 'say', '--scene', '{"npc":{"id":"x y"}}', 'hi'], { home, env });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /error\[INVALID_INPUT\]/);
});

test('a persona too long for the model: CONTEXT_OVERFLOW with the limit and a hint, no stack trace', async () => {
  const own = mkdtempSync(join(tmpdir(), 'shenbi-npc-cli-long-'));
  try {
    const shenbi = await Shenbi.open({ overrides: { home: own } });
    await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
    await shenbi.close();
    const persona = 'A blacksmith who talks about the weather in the valley, at great length. '.repeat(100);
    const scene = JSON.stringify({ npc: { id: 'smith', name: 'Smith', persona, language: 'en' }, player: 'p1' });
    const r = await runCli(['npc', 'say', '--scene', scene, 'Hello?'], { home: own, env });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /error\[CONTEXT_OVERFLOW\].*persona/);
    assert.match(r.stderr, /at most \d+ tokens/);
    assert.match(r.stderr, /Shorten the persona/);
    assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    assert.doesNotMatch(r.stderr, /ENGINE_FAILED|produced no words/);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
