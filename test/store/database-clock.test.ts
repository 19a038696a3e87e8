import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { passThroughGovernance } from './dialects.ts';
import { pipelineSpec } from './fixtures.ts';

/** The real time, whatever Date.now says (the tests below move Date.now). */
const realNow = () => performance.timeOrigin + performance.now();
const HOUR = 3_600_000;

let pg: TestPostgres;
let root: string;
before(async () => {
  pg = await startPostgres();
  root = await mkdtemp(join(tmpdir(), 'shenbi-clock-'));
});
after(async () => {
  await pg?.stop();
  await rm(root, { recursive: true, force: true });
});

/** Opens a store as a host whose clock is `skewMs` off would (Date.now moved while it opens and measures). */
async function openSkewed(skewMs: number, name: string): Promise<OpenedStore> {
  const original = Date.now;
  Date.now = () => original() + skewMs;
  try {
    return await openStore({ database: pg.url, blobsDir: join(root, name), governance: passThroughGovernance() });
  } finally {
    Date.now = original;
  }
}

test('a host whose clock is an hour fast writes and reads leases on the database clock', async () => {
  const honest = await openSkewed(0, 'honest');
  const fast = await openSkewed(HOUR, 'fast');
  const original = Date.now;
  try {
    assert.ok(Math.abs(honest.clock() - realNow()) < 2_000, 'the honest host agrees with the database');
    // On the fast host, Date.now is an hour ahead; its store clock is not.
    Date.now = () => original() + HOUR;
    assert.ok(Math.abs(fast.clock() - realNow()) < 2_000, `fast host's lease clock is off by ${fast.clock() - realNow()} ms`);

    // The honest host runs a job (fresh lease); the fast host looks for stale leases (30 s).
    const id = newId('job');
    await honest.jobs.create({ id, spec: pipelineSpec(['a']), input: {} });
    Date.now = original;
    assert.equal(await honest.jobs.claim(id, 'honest', honest.clock(), honest.clock() - 30_000), true);
    Date.now = () => original() + HOUR;
    assert.equal(await fast.jobs.claim(id, 'fast', fast.clock(), fast.clock() - 30_000), false, 'a live lease is not stolen');
    // What the fast host would have done on its own clock: steal it.
    assert.equal((await fast.jobs.listRecoverable(Date.now() - 30_000)).some((job) => job.id === id), true, 'on the host clock the lease would look stale');
  } finally {
    Date.now = original;
    await honest.close();
    await fast.close();
  }
});
