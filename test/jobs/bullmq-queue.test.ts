import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { LANES, type Lane } from '../../src/jobs/lanes.ts';
import { BullMqQueue } from '../../src/jobs/queues/bullmq-queue.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { freePort } from '../helpers/free-port.ts';

// One Redis for the file, with an fsync'd AOF so the outage test's restart keeps what was acknowledged.
let redis: TestRedis;
before(async () => {
  redis = await startRedis({ persist: true });
});
after(async () => {
  await redis.stop();
});

const ONE_EACH = Object.fromEntries(LANES.map((lane) => [lane, 1])) as Record<Lane, number>;
const prefix = () => `t${randomBytes(4).toString('hex')}`;
const jobId = (n: number) => `job_${randomBytes(6).toString('hex')}${n}`;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('jobs go only to consumers of their lane', async () => {
  const p = prefix();
  const producer = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: [], concurrency: ONE_EACH });
  const speech = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: ['speech'], concurrency: ONE_EACH });
  const video = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: ['video'], concurrency: ONE_EACH });
  const got = { speech: [] as string[], video: [] as string[] };
  try {
    assert.equal(producer.deliversLocally, false);
    speech.process(async (id) => void got.speech.push(id));
    video.process(async (id) => void got.video.push(id));
    const v = jobId(1);
    const s = jobId(2);
    await producer.enqueue(v, { lane: 'video' });
    await producer.enqueue(s, { lane: 'speech' });
    await until('both deliveries', () => got.speech.length + got.video.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(got, { speech: [s], video: [v] });
  } finally {
    await Promise.all([producer.close(), speech.close(), video.close()]);
  }
});

test('a waiting id is enqueued once; depth per lane; remove; re-enqueue after it ran', async () => {
  const p = prefix();
  const producer = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: [], concurrency: ONE_EACH });
  try {
    const a = jobId(1);
    const b = jobId(2);
    await producer.enqueue(a, { lane: 'image' });
    await producer.enqueue(a, { lane: 'image' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await producer.enqueue(b, { lane: 'image' });
    await producer.enqueue(jobId(3), { lane: 'text' });
    const depth = await producer.depth();
    const image = depth.find((d) => d.lane === 'image');
    assert.equal(image?.waiting, 2);
    assert.ok((image?.oldestAgeMs ?? 0) >= 25, `oldest age ${image?.oldestAgeMs}`);
    assert.equal(depth.find((d) => d.lane === 'text')?.waiting, 1);
    assert.deepEqual(depth.find((d) => d.lane === 'video'), { lane: 'video', waiting: 0, oldestAgeMs: 0 });
    assert.equal(producer.size(), 3);

    assert.equal(await producer.remove(a), true);
    assert.equal(await producer.remove(a), false);
    assert.equal(await producer.remove('job_never'), false);
    assert.equal((await producer.depth()).find((d) => d.lane === 'image')?.waiting, 1);

    // Consumed and finished: the same id can be enqueued again (the recovery loop does that).
    const consumer = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: ['image'], concurrency: ONE_EACH });
    const seen: string[] = [];
    consumer.process(async (id) => void seen.push(id));
    await until('b delivered', () => seen.includes(b));
    await until('b removed after completion', async () => (await producer.depth()).find((d) => d.lane === 'image')?.waiting === 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await producer.enqueue(b, { lane: 'image' });
    await until('b delivered again', () => seen.filter((id) => id === b).length === 2);
    await consumer.close();
  } finally {
    await producer.close();
  }
});

test('an unreachable Redis fails open() with QUEUE_UNAVAILABLE naming the URL, without the password', async () => {
  const port = await freePort();
  const url = `redis://admin:s3cr3t-pass@127.0.0.1:${port}/0`;
  const started = Date.now();
  await assert.rejects(BullMqQueue.open({ url, lanes: ['text'], concurrency: ONE_EACH }), (error: unknown) => {
    assert.ok(error instanceof ShenbiError);
    assert.equal(error.code, 'QUEUE_UNAVAILABLE');
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.ok(!JSON.stringify(error.toJSON()).includes('s3cr3t'), error.message);
    assert.ok(error.hint !== undefined);
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 7_000, `took ${elapsed} ms`);
});

test('Redis killed and restarted: waiting jobs are delivered once it returns, none lost; enqueue while down fails fast', async () => {
  const p = prefix();
  const producer = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: [], concurrency: ONE_EACH });
  const consumer = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: ['music'], concurrency: ONE_EACH });
  const deliveries: string[] = [];
  try {
    consumer.process(async (id) => {
      deliveries.push(id);
      await new Promise((resolve) => setTimeout(resolve, 30));
    });
    const ids = Array.from({ length: 30 }, (_, n) => jobId(n));
    for (const id of ids) await producer.enqueue(id, { lane: 'music' });
    await until('a few deliveries', () => deliveries.length >= 5);
    await redis.kill();
    const deliveredBeforeOutage = deliveries.length;
    assert.ok(deliveredBeforeOutage < ids.length, 'jobs still waiting when Redis died');

    const down = Date.now();
    await assert.rejects(producer.enqueue(jobId(99), { lane: 'music' }), (error: unknown) => error instanceof ShenbiError && error.code === 'QUEUE_UNAVAILABLE');
    assert.ok(Date.now() - down < 6_000, `enqueue failed after ${Date.now() - down} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.restart();

    await until('every job delivered after the outage', () => ids.every((id) => deliveries.includes(id)), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const counts = new Map<string, number>();
    for (const id of deliveries) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    // At most the one job in flight when Redis died (its completion was not recorded, so
    // BullMQ's stall check hands it out again; the store's claim keeps it from running twice).
    assert.ok(twice.length <= 1, `delivered twice: ${twice.join(', ')}`);
    assert.ok(!deliveries.some((id) => !ids.includes(id)), 'nothing unexpected delivered');
    // Enqueue works again.
    const later = jobId(100);
    await producer.enqueue(later, { lane: 'music' });
    await until('a job enqueued after the outage', () => deliveries.includes(later));
  } finally {
    await Promise.all([producer.close(), consumer.close()]);
  }
});

test('a consumer process killed with SIGKILL mid-handler: the job is redelivered to another consumer within seconds', async () => {
  const p = prefix();
  const fixture = fileURLToPath(new URL('./fixtures/bullmq-consumer.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, redis.url, p, 'video'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const producer = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: [], concurrency: ONE_EACH });
  let survivor: BullMqQueue | undefined;
  try {
    await until('child ready', () => out.includes('ready\n'), 30_000);
    const id = jobId(1);
    await producer.enqueue(id, { lane: 'video' });
    await until('child got the job', () => out.includes(`delivered ${id}`));
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    survivor = await BullMqQueue.open({ url: redis.url, prefix: p, lanes: ['video'], concurrency: ONE_EACH });
    let redeliveredAt = 0;
    survivor.process(async (got) => {
      if (got === id) redeliveredAt = Date.now();
    });
    await until('redelivery', () => redeliveredAt > 0, 10_000);
    const after = redeliveredAt - killedAt;
    assert.ok(after <= 5_000, `redelivered after ${after} ms`);
    process.stdout.write(`# redelivered ${after} ms after SIGKILL\n`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([producer.close(), survivor?.close()]);
  }
});

test('close() with Redis down returns within seconds, after the running handler returned', async () => {
  const own = await startRedis();
  const consumer = await BullMqQueue.open({ url: own.url, lanes: ['text'], concurrency: ONE_EACH });
  let release!: () => void;
  let handlerReturned = false;
  try {
    consumer.process(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      handlerReturned = true;
    });
    await consumer.enqueue(jobId(1), { lane: 'text' });
    await until('delivery', () => release !== undefined);
    await own.kill();
    setTimeout(() => release(), 200);
    const started = Date.now();
    await consumer.close();
    const took = Date.now() - started;
    assert.ok(handlerReturned, 'close() waited for the running handler');
    assert.ok(took < 5_000, `close took ${took} ms`);
  } finally {
    await own.stop();
  }
});
