import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeWav } from '../../src/media/audio/wav.ts';
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
