import { readdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, open, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { readCatalogFile, BUILTIN_CATALOG, isMultiFileEntry } from '../../src/models/catalog.ts';
import { applyModelEndpoint } from '../../src/models/endpoint.ts';
import { sha256File } from '../../src/models/hash.ts';
import { ModelManager } from '../../src/models/index.ts';
import { JFK, STORIES, TESTDATA } from './setup.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-registry-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A manager over a fresh models dir; no network is involved in this file. */
async function freshManager(catalogs: string[] = []): Promise<{ manager: ModelManager; modelsDir: string }> {
  const modelsDir = await mkdtemp(join(dir, 'models-'));
  return { manager: new ModelManager({ modelsDir, catalogs }), modelsDir };
}

function isCode(code: string) {
  return (error: unknown) => error instanceof ShenbiError && error.code === code;
}

describe('catalog', () => {
  test('built-in entries whose file is in testdata match it (sha256 and size); the rest are pinned and well-formed', async () => {
    // Multi-file entries (Piper voices) are checked in multi-file.test.ts.
    const entries = (await readCatalogFile(BUILTIN_CATALOG)).flatMap((e) => (isMultiFileEntry(e) ? [] : [e]));
    const local = new Set(readdirSync(TESTDATA));
    const checked = entries.filter((e) => local.has(e.file));
    assert.ok(checked.length >= 5);
    for (const entry of checked) {
      assert.deepEqual(await sha256File(join(TESTDATA, entry.file)), { sha256: entry.sha256, size: entry.size }, entry.name);
    }
    // Entries that cannot be fetched here carry a digest and size published by their source
    // and corroborated elsewhere (see docs/models.md); a pull verifies them on the user's machine.
    for (const entry of entries.filter((e) => !local.has(e.file))) {
      assert.match(entry.sha256, /^[0-9a-f]{64}$/, entry.name);
      assert.ok(entry.size > 1_000_000, entry.name);
      assert.match(entry.url, /^https:\/\/huggingface\.co\/.+\/resolve\/[0-9a-f]{40}|main\//, entry.name);
    }
    assert.equal(entries.find((e) => e.name === 'qwen2.5-0.5b-instruct')?.sha256, '74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db');
  });

  test('extra catalogs add and override entries by name', async () => {
    const extra = join(dir, 'extra-catalog.json');
    const base = {
      title: 't',
      tasks: ['speech'],
      file: 'x.bin',
      url: 'https://example.org/x.bin',
      size: 1,
      sha256: 'a'.repeat(64),
      license: 'MIT',
      description: 'd',
    };
    await writeFile(extra, JSON.stringify({ version: 1, models: [{ ...base, name: 'extra-one' }, { ...base, name: 'stories260k', size: 2 }] }));
    const { manager } = await freshManager([extra]);
    const catalog = await manager.catalog();
    assert.ok(catalog.some((e) => e.name === 'extra-one' && e.catalog === extra));
    const overridden = catalog.find((e) => e.name === 'stories260k');
    assert.equal(overridden?.size, 2);
    assert.equal(catalog.filter((e) => e.name === 'stories260k').length, 1);
  });

  test('a bad catalog file is CONFIG_INVALID with the zod paths; unreadable ones CONFIG_UNREADABLE', async () => {
    const bad = join(dir, 'bad-catalog.json');
    await writeFile(
      bad,
      JSON.stringify({
        version: 1,
        models: [{ name: 'x', title: 'x', tasks: ['painting'], file: '../x', url: 'ftp://x', size: -1, sha256: 'nope', license: 'MIT', description: 'x' }],
      }),
    );
    await assert.rejects((await freshManager([bad])).manager.catalog(), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'CONFIG_INVALID');
      const paths = (error.details?.issues as { path: string }[]).map((i) => i.path).sort();
      assert.deepEqual(paths, ['models.0.file', 'models.0.sha256', 'models.0.size', 'models.0.tasks.0', 'models.0.url']);
      assert.ok(error.message.includes(bad));
      return true;
    });

    const duplicate = join(dir, 'dup-catalog.json');
    const entry = { name: 'd', title: 'd', tasks: ['text'], file: 'd.bin', url: 'https://e.org/d', size: 1, sha256: 'b'.repeat(64), license: 'MIT', description: 'd' };
    await writeFile(duplicate, JSON.stringify({ version: 1, models: [entry, entry] }));
    await assert.rejects((await freshManager([duplicate])).manager.catalog(), isCode('CONFIG_INVALID'));

    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{ "version": 1, ');
    await assert.rejects((await freshManager([notJson])).manager.catalog(), isCode('CONFIG_UNREADABLE'));
    await assert.rejects((await freshManager([join(dir, 'absent.json')])).manager.catalog(), isCode('CONFIG_UNREADABLE'));
  });

  test('endpoint rewriting touches only huggingface.co URLs and keeps path and query', async () => {
    const hf = 'https://huggingface.co/Qwen/X-GGUF/resolve/main/x.gguf?download=true';
    assert.equal(applyModelEndpoint(hf, 'https://hf-mirror.com'), 'https://hf-mirror.com/Qwen/X-GGUF/resolve/main/x.gguf?download=true');
    assert.equal(applyModelEndpoint(hf, 'http://127.0.0.1:8080/hf/'), 'http://127.0.0.1:8080/hf/Qwen/X-GGUF/resolve/main/x.gguf?download=true');
    assert.equal(applyModelEndpoint(hf, null), hf);
    const github = 'https://raw.githubusercontent.com/a/b/c/d.onnx';
    assert.equal(applyModelEndpoint(github, 'https://hf-mirror.com'), github);
    // A bad endpoint fails what would download, with CONFIG_INVALID, but not list/resolve.
    const misconfigured = new ModelManager({ modelsDir: join(dir, 'never'), modelEndpoint: 'hf-mirror.com' });
    await assert.rejects(misconfigured.catalog(), isCode('CONFIG_INVALID'));
    await assert.rejects(misconfigured.pull('stories260k'), isCode('CONFIG_INVALID'));
    assert.deepEqual(await misconfigured.list(), []);
  });
});

describe('import, list, rm, resolve', () => {
  test('import recognizes a catalog file by name and hash; list and resolve report it', async () => {
    const { manager, modelsDir } = await freshManager();
    const model = await manager.importFile(STORIES.file);
    assert.deepEqual(
      { name: model.name, file: model.file, sha256: model.sha256, size: model.size, source: model.source, verified: model.verified, license: model.license },
      { name: 'stories260k', file: 'stories260K.gguf', sha256: STORIES.sha256, size: STORIES.size, source: 'import', verified: true, license: 'MIT' },
    );
    assert.equal(model.path, join(modelsDir, 'stories260k', 'stories260K.gguf'));
    assert.deepEqual(await sha256File(model.path), { sha256: STORIES.sha256, size: STORIES.size });
    assert.deepEqual(await manager.resolve('stories260k'), { name: 'stories260k', path: model.path, sha256: STORIES.sha256, size: STORIES.size });

    const other = await manager.importFile(JFK.file);
    assert.deepEqual([other.name, other.verified, other.license], ['jfk', false, null]);
    assert.deepEqual(
      (await manager.list()).map((m) => m.name),
      ['jfk', 'stories260k'],
    );
    // Pulling a model that is already installed with the catalog hash does no download.
    assert.deepEqual(await manager.pull('stories260k'), (await manager.list())[1]);
  });

  test('a file imported under a catalog name must have the catalog hash', async () => {
    const { manager, modelsDir } = await freshManager();
    await assert.rejects(manager.importFile(JFK.file, { name: 'stories260k' }), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'MODEL_CHECKSUM_MISMATCH');
      assert.deepEqual([error.details?.expected, error.details?.actual], [STORIES.sha256, JFK.sha256]);
      return true;
    });
    assert.deepEqual(await manager.list(), []);
    assert.equal(existsSync(join(modelsDir, 'stories260k')), false);
  });

  test('import hard-links on the same disk unless copy is asked for', async () => {
    const { manager, modelsDir } = await freshManager();
    const source = join(modelsDir, '..', 'local-sample.wav');
    await copyFile(JFK.file, source);
    const linked = await manager.importFile(source, { name: 'linked' });
    const copied = await manager.importFile(source, { name: 'copied', copy: true });
    const [src, l, c] = await Promise.all([stat(source), stat(linked.path), stat(copied.path)]);
    assert.equal(l.ino, src.ino);
    assert.notEqual(c.ino, src.ino);
    await manager.remove('linked');
    assert.equal(existsSync(source), true, 'removing a linked model leaves the original');
  });

  test('rm removes the model; resolve then names the exact pull command', async () => {
    const { manager, modelsDir } = await freshManager();
    await manager.importFile(STORIES.file);
    await manager.remove('stories260k');
    assert.equal(existsSync(join(modelsDir, 'stories260k')), false);
    assert.deepEqual(await manager.list(), []);
    await assert.rejects(manager.remove('stories260k'), isCode('MODEL_NOT_INSTALLED'));
    await assert.rejects(manager.resolve('stories260k'), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'MODEL_NOT_INSTALLED');
      assert.equal(error.hint, 'shenbi models pull stories260k');
      assert.match(error.message, /shenbi models pull stories260k/);
      return true;
    });
  });

  test('resolve of an unknown name is MODEL_NOT_FOUND with close matches', async () => {
    const { manager } = await freshManager();
    await assert.rejects(manager.resolve('storys260k'), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'MODEL_NOT_FOUND');
      assert.deepEqual(error.details?.suggestions, ['stories260k']);
      return true;
    });
    await assert.rejects(manager.resolve('../../etc/passwd'), isCode('MODEL_NOT_FOUND'));
    await assert.rejects(manager.pull('no-such-model'), isCode('MODEL_NOT_FOUND'));
  });

  test('resolve notices a deleted file (within a second), and verify notices changed bytes', async () => {
    const { manager } = await freshManager();
    const model = await manager.importFile(STORIES.file, { copy: true });
    const handle = await open(model.path, 'r+');
    await handle.write(Buffer.from([0xff]), 0, 1, 1000);
    await handle.close();
    assert.equal((await manager.resolve('stories260k')).sha256, STORIES.sha256, 'without verify only the size is checked');
    await assert.rejects(manager.resolve('stories260k', { verify: true }), isCode('MODEL_CHECKSUM_MISMATCH'));
    await unlink(model.path);
    // Deleted behind the manager's back: noticed once its last resolution is a second old.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await assert.rejects(manager.resolve('stories260k'), (error: unknown) => {
      return error instanceof ShenbiError && error.code === 'MODEL_NOT_INSTALLED' && error.hint === 'shenbi models pull stories260k';
    });
  });
});
