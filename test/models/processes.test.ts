import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, test } from 'node:test';
import { sha256File } from '../../src/models/hash.ts';
import { STORIES, harness, storiesEntry, type Harness } from './setup.ts';

const WORKER = fileURLToPath(new URL('./pull-worker.ts', import.meta.url));

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

interface WorkerLine {
  received?: number;
  done?: { sha256: string; path: string };
  error?: string;
}

/** Starts a pull in another process; `lines` yields its JSON lines as they come. */
function startWorker(harnessed: Harness, name: string): { child: ChildProcessWithoutNullStreams; lines: AsyncIterable<WorkerLine>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, harnessed.modelsDir, harnessed.catalogPath, name], { stdio: 'pipe' });
  child.stdin.end();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Created now, so lines printed before anyone reads are buffered, not lost.
  const raw = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const lines = (async function* () {
    for (let next = await raw.next(); next.done !== true; next = await raw.next()) yield JSON.parse(next.value) as WorkerLine;
  })();
  return { child, lines, exited };
}

describe('pulls in separate processes', () => {
  test('a pull killed with SIGKILL leaves a stale lock and a partial that the next pull takes over and resumes', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(({ index }) => (index === 0 ? { chunkDelayMs: 20 } : {}));
    const worker = startWorker(h, 'tiny');
    for await (const line of worker.lines) {
      if ((line.received ?? 0) >= 200_000) break;
    }
    worker.child.kill('SIGKILL');
    await worker.exited;

    const partial = join(h.modelsDir, '.partial');
    const lock = JSON.parse(await readFile(join(partial, 'tiny.lock'), 'utf8')) as { pid: number };
    assert.equal(lock.pid, worker.child.pid, 'the dead process still "holds" the lock');
    const partSize = (await stat(join(partial, 'tiny.part'))).size;
    assert.ok(partSize >= 200_000 && partSize < STORIES.size);

    const model = await h.manager().pull('tiny');
    assert.deepEqual(await sha256File(model.path), { sha256: STORIES.sha256, size: STORIES.size });
    assert.equal(h.server.requests.length, 2);
    assert.equal(h.server.requests[1]?.range, `bytes=${partSize}-`);
    assert.deepEqual(await h.partials(), []);
  });

  test('a second process waits for the first pull instead of corrupting it', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(() => ({ chunkDelayMs: 15 }));
    const first = startWorker(h, 'tiny');
    // Start the second pull only once the first is writing, so they truly overlap.
    const firstLines = first.lines[Symbol.asyncIterator]();
    for (let next = await firstLines.next(); !next.done; next = await firstLines.next()) {
      if ((next.value.received ?? 0) > 0) break;
    }
    const second = startWorker(h, 'tiny');
    const results: WorkerLine[] = [];
    for (const lines of [{ [Symbol.asyncIterator]: () => firstLines }, second.lines]) {
      for await (const line of lines) if (line.done !== undefined || line.error !== undefined) results.push(line);
    }
    assert.deepEqual(await Promise.all([first.exited, second.exited]), [0, 0]);
    assert.equal(results.length, 2);
    for (const result of results) assert.equal(result.done?.sha256, STORIES.sha256);
    assert.equal(h.server.requests.length, 1, 'one download; the second process found it installed');
    assert.deepEqual(await sha256File(results[0]?.done?.path ?? ''), { sha256: STORIES.sha256, size: STORIES.size });
  });
});
