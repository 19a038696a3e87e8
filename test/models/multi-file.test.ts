import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { BUILTIN_CATALOG, isMultiFileEntry, readCatalogFile } from '../../src/models/catalog.ts';
import { sha256File } from '../../src/models/hash.ts';
import { ModelManager, type PullProgress } from '../../src/models/index.ts';
import { resolvePiperVoiceDir } from '../../src/pipelines/steps/speech/piper-speech-step.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { writeTinyPiperVoice } from '../fixtures/piper/build-tiny-piper.ts';
import { startFileServer, type TestFileServer } from '../helpers/http-file-server.ts';
import { FAST } from './setup.ts';

interface Served {
  name: string;
  path: string;
  size: number;
  md5: string;
  sha256: string;
}

let root: string;
let server: TestFileServer;
let catalogPath: string;
let onnx: Served;
let config: Served;

const digest = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex');

async function served(file: string, route: string): Promise<Served> {
  const bytes = await readFile(file);
  return { name: basename(file), path: route, size: bytes.byteLength, md5: digest('md5', bytes), sha256: digest('sha256', bytes) };
}

function rejectsWith(code: string) {
  return (error: unknown) => error instanceof ShenbiError && error.code === code;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'shenbi-multifile-'));
  const voice = await writeTinyPiperVoice(join(root, 'src'), { name: 'tiny-voice', sampleRate: 16000 });
  // The same config with one byte changed, served where a broken mirror would.
  const corrupt = join(root, 'corrupt.onnx.json');
  const bytes = await readFile(voice.config);
  bytes[10] = bytes[10]! ^ 0x01;
  await writeFile(corrupt, bytes);
  server = await startFileServer({
    '/voices/tiny-voice.onnx': voice.model,
    '/voices/tiny-voice.onnx.json': voice.config,
    '/broken/tiny-voice.onnx.json': corrupt,
  });
  onnx = await served(voice.model, '/voices/tiny-voice.onnx');
  config = await served(voice.config, '/voices/tiny-voice.onnx.json');
  const file = (s: Served, hash: 'md5' | 'sha256', path = s.path) => ({ name: s.name, url: `${server.origin}${path}`, size: s.size, [hash]: s[hash] });
  const entry = (name: string, files: unknown[]) => ({ name, title: name, tasks: ['speech'], files, license: 'MIT', description: `test voice ${name}` });
  catalogPath = join(root, 'catalog.json');
  await writeFile(
    catalogPath,
    JSON.stringify({
      version: 1,
      models: [
        entry('piper-tiny', [file(onnx, 'md5'), file(config, 'md5')]),
        entry('piper-tiny-sha', [file(onnx, 'sha256'), file(config, 'sha256')]),
        entry('piper-broken', [file(onnx, 'md5'), file(config, 'md5', '/broken/tiny-voice.onnx.json')]),
      ],
    }),
  );
});

after(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function freshModelsDir(): Promise<string> {
  return mkdtemp(join(root, 'models-'));
}

const managerFor = (modelsDir: string, download: ConstructorParameters<typeof ModelManager>[0]['download'] = FAST) =>
  new ModelManager({ modelsDir, catalogs: [catalogPath], download });

describe('catalog: multi-file entries', () => {
  test('every file needs a checksum; md5 or sha256 must be well-formed; single-file entries are unchanged', async () => {
    const bad = join(root, 'bad-catalog.json');
    const files = [{ name: 'a.onnx', url: 'https://example.org/a.onnx', size: 3 }];
    await writeFile(bad, JSON.stringify({ version: 1, models: [{ name: 'x', title: 'x', tasks: ['speech'], files, license: 'MIT', description: 'x' }] }));
    await assert.rejects(readCatalogFile(bad), (error: unknown) => error instanceof ShenbiError && error.code === 'CONFIG_INVALID' && /checksum/.test(error.message));
    files[0] = { ...files[0]!, md5: 'abc' } as (typeof files)[number];
    await writeFile(bad, JSON.stringify({ version: 1, models: [{ name: 'x', title: 'x', tasks: ['speech'], files, license: 'MIT', description: 'x' }] }));
    await assert.rejects(readCatalogFile(bad), rejectsWith('CONFIG_INVALID'));
  });

  test('the built-in catalog parses and lists both Piper voices (pinned v1.0.0 URLs, size + md5 per file)', async () => {
    const entries = await readCatalogFile(BUILTIN_CATALOG);
    assert.ok(entries.some((e) => e.name === 'qwen2.5-0.5b-instruct' && !isMultiFileEntry(e)));
    for (const [name, stem, configSize] of [
      ['piper-zh_CN-huayan-medium', 'zh/zh_CN/huayan/medium/zh_CN-huayan-medium', 4822],
      ['piper-en_US-lessac-medium', 'en/en_US/lessac/medium/en_US-lessac-medium', 4885],
    ] as const) {
      const entry = entries.find((e) => e.name === name);
      assert.ok(entry !== undefined && isMultiFileEntry(entry), name);
      assert.deepEqual(entry.tasks, ['speech']);
      assert.deepEqual(
        entry.files.map((f) => [f.name, f.url, f.size]),
        [
          [basename(`${stem}.onnx`), `https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/${stem}.onnx`, 63201294],
          [basename(`${stem}.onnx.json`), `https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/${stem}.onnx.json`, configSize],
        ],
      );
      for (const f of entry.files) assert.match(f.md5 ?? '', /^[0-9a-f]{32}$/);
      assert.equal(entry.size, 63201294 + configSize);
    }
    // `shenbi models catalog` lists what the manager's catalog() returns.
    const modelsDir = await freshModelsDir();
    const listed = await new ModelManager({ modelsDir }).catalog();
    for (const name of ['piper-zh_CN-huayan-medium', 'piper-en_US-lessac-medium']) {
      const model = listed.find((m) => m.name === name);
      assert.ok(model, name);
      assert.match(model.downloadUrl, /\.onnx$/);
    }
  });
});

describe('pull: multi-file models', () => {
  test('md5 entry: both files installed atomically with computed sha256; list/show/resolve/rm; the voice speaks end to end', async () => {
    const home = await mkdtemp(join(root, 'home-'));
    const shenbi = await Shenbi.open({ overrides: { home, catalogs: [catalogPath], c2pa: { enabled: false, keysDir: join(home, 'keys') } } });
    try {
      const events: PullProgress[] = [];
      const pulled = await shenbi.models.pull('piper-tiny', { onProgress: (p) => events.push(p) });
      assert.ok(pulled.files !== undefined, 'a multi-file install lists its files');
      const model = { ...pulled, files: pulled.files };
      assert.deepEqual(await readdir(dirname(model.path)).then((f) => f.sort()), ['model.json', 'tiny-voice.onnx', 'tiny-voice.onnx.json']);
      assert.deepEqual(
        model.files.map((f) => ({ file: f.file, size: f.size, sha256: f.sha256, md5: f.md5 })),
        [onnx, config].map((s) => ({ file: s.name, size: s.size, sha256: s.sha256, md5: s.md5 })),
      );
      for (const f of model.files) assert.deepEqual(await sha256File(f.path), { sha256: f.sha256, size: f.size });
      assert.equal(model.size, onnx.size + config.size);
      assert.equal(model.verified, true);
      // One progress total over both files, never going backwards.
      for (const e of events) assert.equal(e.totalBytes, onnx.size + config.size);
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.receivedBytes >= events[i - 1]!.receivedBytes);
      assert.equal(events.at(-1)?.receivedBytes, onnx.size + config.size);

      const resolved = await shenbi.models.resolve('piper-tiny', { verify: true });
      assert.deepEqual(resolved.files?.map((f) => f.path), model.files.map((f) => f.path));
      assert.deepEqual((await shenbi.models.list()).map((m) => m.name), ['piper-tiny']);
      assert.equal(existsSync(join(home, 'models', '.partial', 'piper-tiny.d')), false, 'the partial folder is gone');

      // Pulling again is a no-op: already installed with the same checksums.
      const requests = server.requests.length;
      await shenbi.models.pull('piper-tiny');
      assert.equal(server.requests.length, requests);

      for (const voice of ['piper:piper-tiny', 'piper:tiny']) {
        const job = await shenbi.generate('speech', { text: 'Hello world. This is Piper.', voice });
        assert.equal(job.status, 'completed', JSON.stringify(job.error));
        const wav = decodeWav((await shenbi.store.artifacts.read(String(job.outputs!.audio))).bytes);
        assert.equal(wav.sampleRate, 16000);
        assert.ok(wav.samples.length > 1000, `${wav.samples.length} samples`);
        assert.ok(wav.samples.some((x) => Math.abs(x) > 0.01), 'not silence');
      }

      await shenbi.models.remove('piper-tiny');
      assert.deepEqual(await shenbi.models.list(), []);
      await assert.rejects(shenbi.models.resolve('piper-tiny'), (e: unknown) => e instanceof ShenbiError && e.code === 'MODEL_NOT_INSTALLED' && e.hint === 'shenbi models pull piper-tiny');
      const missing = await shenbi.generate('speech', { text: 'Hi.', voice: 'piper:tiny' });
      assert.equal(missing.error?.code, 'MODEL_NOT_INSTALLED');
    } finally {
      await shenbi.close();
    }
  });

  test('sha256 entry installs; a damaged install is MODEL_NOT_INSTALLED and a changed file fails verify', async () => {
    const modelsDir = await freshModelsDir();
    const manager = managerFor(modelsDir);
    const model = await manager.pull('piper-tiny-sha');
    assert.deepEqual(model.files!.map((f) => f.sha256), [onnx.sha256, config.sha256]);
    assert.equal(model.files![0]!.md5, undefined);
    const second = model.files![1]!.path;
    const original = await readFile(second);
    await writeFile(second, Buffer.concat([original.subarray(0, 5), Buffer.from('X'), original.subarray(6)]));
    await assert.rejects(manager.resolve('piper-tiny-sha', { verify: true }), rejectsWith('MODEL_CHECKSUM_MISMATCH'));
    await rm(second);
    await assert.rejects(manager.resolve('piper-tiny-sha'), rejectsWith('MODEL_NOT_INSTALLED'));
  });

  test('one corrupted byte in one file: MODEL_CHECKSUM_MISMATCH and nothing installed, not even the good file', async () => {
    const modelsDir = await freshModelsDir();
    const manager = managerFor(modelsDir);
    const error = await manager.pull('piper-broken').then(
      () => assert.fail('expected a checksum mismatch'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ShenbiError && error.code === 'MODEL_CHECKSUM_MISMATCH', String(error));
    assert.equal(error.details?.file, 'tiny-voice.onnx.json');
    assert.equal(error.details?.algorithm, 'md5');
    assert.deepEqual(await manager.list(), []);
    assert.equal(existsSync(join(modelsDir, 'piper-broken')), false);
    assert.deepEqual(await readdir(join(modelsDir, '.staging')).catch(() => []), []);
    // The bad file's partial is deleted; the verified one stays only in .partial for a retry.
    assert.deepEqual(await readdir(join(modelsDir, '.partial', 'piper-broken.d')), ['tiny-voice.onnx.json', 'tiny-voice.onnx.part'].sort());
    await assert.rejects(manager.resolve('piper-broken'), rejectsWith('MODEL_NOT_INSTALLED'));
  });

  test('a connection dropped mid-file: retried in the same pull with Range; a killed pull leaves nothing installed and the next one resumes', async () => {
    const cut = Math.floor(onnx.size / 2);
    const onnxRequests = () => server.requests.filter((r) => r.path === onnx.path);

    // Within one pull: the first response is cut, the retry asks for the rest.
    const modelsDir = await freshModelsDir();
    let before = onnxRequests().length;
    server.plan(({ path }) => (path === onnx.path && onnxRequests().length === before + 1 ? { cutAfterBytes: cut, chunkDelayMs: 300 } : {}));
    const model = await managerFor(modelsDir).pull('piper-tiny');
    assert.deepEqual(await sha256File(model.files![0]!.path), { sha256: onnx.sha256, size: onnx.size });
    const retried = onnxRequests().slice(before);
    assert.equal(retried.length, 2);
    assert.match(retried[1]!.range ?? '', /^bytes=\d+-$/);
    assert.equal(retried[1]!.status, 206);

    // A pull that gives up (as if killed) shows no model; a new manager (a new process) resumes.
    const other = await freshModelsDir();
    before = onnxRequests().length;
    server.plan(({ path }) => (path === onnx.path && onnxRequests().length === before + 1 ? { cutAfterBytes: cut, chunkDelayMs: 300 } : {}));
    await assert.rejects(managerFor(other, { ...FAST, maxAttempts: 1 }).pull('piper-tiny'), rejectsWith('MODEL_DOWNLOAD_FAILED'));
    server.plan(() => ({}));
    assert.deepEqual(await managerFor(other).list(), []);
    assert.equal(existsSync(join(other, 'piper-tiny')), false);
    const resumed = await managerFor(other).pull('piper-tiny');
    const requests = onnxRequests().slice(before);
    assert.equal(requests.length, 2);
    const start = Number(/^bytes=(\d+)-$/.exec(requests[1]!.range ?? '')?.[1]);
    assert.ok(start > 0 && start <= cut, `resumed at ${start}`);
    assert.deepEqual(resumed.files!.map((f) => f.sha256), [onnx.sha256, config.sha256]);
  });

  test('import refuses a multi-file catalog model with the pull command as hint', async () => {
    const manager = managerFor(await freshModelsDir());
    await assert.rejects(
      manager.importFile(join(root, 'src', 'tiny-voice.onnx'), { name: 'piper-tiny' }),
      (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT' && /shenbi models pull piper-tiny/.test(e.hint ?? ''),
    );
  });
});

describe('speech.piper voice lookup through the model manager', () => {
  test('NAME or piper-NAME when installed; a catalog voice not installed names the pull command; hand-placed folders still work', async () => {
    const modelsDir = await freshModelsDir();
    const models = managerFor(modelsDir);
    const requestsBefore = server.requests.length;
    const error = await resolvePiperVoiceDir('tiny-sha', { modelsDir, models }).then(
      () => assert.fail('expected MODEL_NOT_INSTALLED'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ShenbiError && error.code === 'MODEL_NOT_INSTALLED', String(error));
    assert.equal(error.hint, 'shenbi models pull piper-tiny-sha');
    assert.equal(server.requests.length, requestsBefore, 'resolving never downloads');

    const installed = await models.pull('piper-tiny-sha');
    assert.equal(await resolvePiperVoiceDir('tiny-sha', { modelsDir, models }), dirname(installed.path));
    assert.equal(await resolvePiperVoiceDir('piper-tiny-sha', { modelsDir, models }), dirname(installed.path));

    await writeTinyPiperVoice(join(modelsDir, 'my-voice'));
    assert.equal(await resolvePiperVoiceDir('my-voice', { modelsDir, models }), join(modelsDir, 'my-voice'));
    assert.equal(await resolvePiperVoiceDir('my-voice', { modelsDir }), join(modelsDir, 'my-voice'));
    assert.equal(await resolvePiperVoiceDir('tiny-sha', { modelsDir }), dirname(installed.path));
  });
});
