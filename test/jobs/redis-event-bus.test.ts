import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import type { JobEvent } from '../../src/core/progress.ts';
import { RedisEventBus } from '../../src/jobs/events/redis-event-bus.ts';
import { ShenbiError } from '../../src/core/errors.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { freePort } from '../helpers/free-port.ts';

let redis: TestRedis;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('events cross bus instances, are not echoed to their publisher, and malformed messages are ignored', async () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const a = await RedisEventBus.open({ url: redis.url, prefix });
  const b = await RedisEventBus.open({ url: redis.url, prefix });
  const other = await RedisEventBus.open({ url: redis.url, prefix: `${prefix}x` });
  const raw = new Redis(redis.url);
  const atA: JobEvent[] = [];
  const atB: JobEvent[] = [];
  const atOther: JobEvent[] = [];
  a.subscribe((event) => atA.push(event));
  const stopB = b.subscribe((event) => atB.push(event));
  other.subscribe((event) => atOther.push(event));
  try {
    await Promise.all([a.ready(), b.ready(), other.ready()]);
    const started: JobEvent = { type: 'step.progress', jobId: 'job_1', at: 1, stepId: 's', stepType: 'x.y', fraction: 0.5, message: 'half', etaMs: 10 };
    a.publish(started);
    const channel = `${prefix}:job-events`;
    // Malformed: not JSON, wrong shape, an unknown event type, a bad field; then a valid one from "someone else".
    await raw.publish(channel, 'not json');
    await raw.publish(channel, JSON.stringify({ hello: 'world' }));
    await raw.publish(channel, JSON.stringify({ origin: 'zz', event: { type: 'job.exploded', jobId: 'job_1', at: 2 } }));
    await raw.publish(channel, JSON.stringify({ origin: 'zz', event: { type: 'job.cancelled', jobId: 42, at: 2 } }));
    const ended: JobEvent = { type: 'job.completed', jobId: 'job_1', at: 3, outputs: { y: 12 } };
    await raw.publish(channel, JSON.stringify({ origin: 'zz', event: ended }));
    b.publish({ type: 'job.failed', jobId: 'job_2', at: 4, code: 'ENGINE_FAILED', message: 'boom', stepId: null });

    await until('events at b', () => atB.length >= 2);
    await until('events at a', () => atA.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(atB, [started, ended]);
    assert.deepEqual(
      atA.map((e) => e.type),
      ['job.completed', 'job.failed'],
    );
    assert.deepEqual(atOther, [], 'another prefix is another channel');

    // A throwing listener does not stop the others; unsubscribing works.
    stopB();
    a.subscribe(() => {
      throw new Error('listener bug');
    });
    b.publish({ type: 'job.cancelled', jobId: 'job_3', at: 5 });
    await until('after a throwing listener', () => atA.length >= 3);
    assert.equal(atB.length, 2);
  } finally {
    raw.disconnect();
    await Promise.all([a.close(), b.close(), other.close()]);
  }
  // After close, publish is a no-op and never throws.
  a.publish({ type: 'job.cancelled', jobId: 'job_4', at: 6 });
});

test('publish never throws while Redis is down; open() fails with QUEUE_UNAVAILABLE when unreachable', async () => {
  const port = await freePort();
  await assert.rejects(RedisEventBus.open({ url: `redis://:hunter22@127.0.0.1:${port}` }), (error: unknown) => {
    assert.ok(error instanceof ShenbiError && error.code === 'QUEUE_UNAVAILABLE');
    assert.ok(error.message.includes(`127.0.0.1:${port}`) && !error.message.includes('hunter22'), error.message);
    return true;
  });
  const own = await startRedis();
  const bus = await RedisEventBus.open({ url: own.url });
  try {
    await own.kill();
    for (let i = 0; i < 5; i += 1) bus.publish({ type: 'job.cancelled', jobId: `job_${i}`, at: i });
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    await bus.close();
    await own.stop();
  }
});

test('a bus opened with listen: false sends but opens no subscriber and receives nothing', async () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const raw = new Redis(redis.url);
  const sender = await RedisEventBus.open({ url: redis.url, prefix, listen: false });
  const listener = await RedisEventBus.open({ url: redis.url, prefix });
  const atSender: JobEvent[] = [];
  const atListener: JobEvent[] = [];
  sender.subscribe((event) => atSender.push(event));
  listener.subscribe((event) => atListener.push(event));
  try {
    await Promise.all([sender.ready(), listener.ready()]);
    // One subscriber on the channel: the listening bus's, not the sender's.
    const [, subscribers] = (await raw.call('PUBSUB', 'NUMSUB', `${prefix}:job-events`)) as [string, number];
    assert.equal(subscribers, 1);
    const sent: JobEvent = { type: 'job.started', jobId: 'job_3', at: 5, steps: ['a'] };
    sender.publish(sent);
    listener.publish({ type: 'job.cancelled', jobId: 'job_4', at: 6 });
    await until('the event at the listener', () => atListener.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(atListener, [sent]);
    assert.deepEqual(atSender, []);
  } finally {
    await Promise.all([sender.close(), listener.close()]);
    raw.disconnect();
  }
});
