import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeTinyPiperVoice } from '../fixtures/piper/build-tiny-piper.ts';
import { runCli } from '../helpers/cli.ts';
import { startFileServer, type TestFileServer } from '../helpers/http-file-server.ts';

let home: string;
let server: TestFileServer;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'shenbi-models-multi-cli-'));
  const voice = await writeTinyPiperVoice(join(home, 'src'), { name: 'tiny-voice' });
  server = await startFileServer({ '/v/tiny-voice.onnx': voice.model, '/v/tiny-voice.onnx.json': voice.config });
  const file = (path: string) => {
    const bytes = readFileSync(path);
    return { name: basename(path), url: `${server.origin}/v/${basename(path)}`, size: bytes.byteLength, md5: createHash('md5').update(bytes).digest('hex') };
  };
  const catalog = { version: 1, models: [{ name: 'piper-tiny', title: 'tiny', tasks: ['speech'], files: [file(voice.model), file(voice.config)], license: 'MIT', description: 'test voice' }] };
  writeFileSync(join(home, 'voices.json'), JSON.stringify(catalog));
  writeFileSync(join(home, 'config.json'), JSON.stringify({ catalogs: ['voices.json'] }));
});
after(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('models catalog lists the built-in Piper voices; pull, show and rm a multi-file model', async () => {
  const catalog = await runCli(['models', 'catalog'], { home });
  assert.equal(catalog.status, 0, catalog.stderr);
  assert.match(catalog.stdout, /piper-zh_CN-huayan-medium/);
  assert.match(catalog.stdout, /piper-en_US-lessac-medium/);

  const pull = await runCli(['models', 'pull', 'piper-tiny'], { home });
  assert.equal(pull.status, 0, pull.stderr);
  assert.match(pull.stdout, /piper-tiny installed: 2 files/);
  assert.match(pull.stdout, /tiny-voice\.onnx\.json/);

  const show = await runCli(['--json', 'models', 'show', 'piper-tiny', '--verify'], { home });
  assert.equal(show.status, 0, show.stderr);
  const shown = JSON.parse(show.stdout) as { files: { path: string }[] };
  assert.deepEqual(shown.files.map((f) => basename(f.path)), ['tiny-voice.onnx', 'tiny-voice.onnx.json']);

  const rm = await runCli(['models', 'rm', 'piper-tiny'], { home });
  assert.equal(rm.status, 0, rm.stderr);
});
