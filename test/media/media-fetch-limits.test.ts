import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ShenbiError } from '../../src/core/errors.ts';
import { fetchMediaBytes, fetchMediaToFile, MEDIA_FETCH_TEMP_PREFIX, type FetchMediaOptions } from '../../src/media/fetch/fetch-media.ts';
import { DEFAULT_MEDIA_FETCH, resolveMediaFetchSettings, type MediaFetchSettings } from '../../src/media/fetch/media-fetch-settings.ts';
import { faults, startFaultServer, type FaultServer } from '../helpers/fault-server.ts';

// These servers run on 127.0.0.1, so private networks are allowed explicitly (media.fetch.allowPrivateNetworks).
const MiB = 1024 * 1024;
const local = (overrides: Partial<MediaFetchSettings> = {}): MediaFetchSettings => ({
  ...DEFAULT_MEDIA_FETCH,
  allowPrivateNetworks: true,
  ...overrides,
  maxBytes: { ...DEFAULT_MEDIA_FETCH.maxBytes, ...overrides.maxBytes },
});

let server: FaultServer;
let temp: string;

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'shenbi-fetch-test-'));
  server = await startFaultServer({
    routes: {
      '/small.png': faults.body(Buffer.from('not really a png, but small'), 200, { 'content-type': 'image/png' }),
      '/chunked-5mb': faults.huge(5 * MiB, { declareLength: false }),
      '/chunked-64mb': faults.huge(64 * MiB, { declareLength: false }),
      '/declared-1gb': faults.huge(1024 * MiB, { declareLength: true }),
      '/chunked-200mb': faults.huge(200 * MiB, { declareLength: false, chunkBytes: 256 * 1024 }),
      '/trickle-1-per-second': faults.trickle(Buffer.alloc(60, 0x41), { intervalMs: 1000, bytesPerTick: 1, declareLength: false }),
      '/trickle-fast': faults.trickle(Buffer.alloc(600, 0x41), { intervalMs: 50, bytesPerTick: 1, declareLength: true }),
      '/hang': faults.hang(),
      '/loop': faults.redirect('/loop'),
      '/to-small': faults.redirect('/small.png', 301),
    },
  });
});
after(async () => {
  await server.close();
  await rm(temp, { recursive: true, force: true });
});

const leftovers = async () => (await readdir(temp)).filter((name) => name.startsWith(MEDIA_FETCH_TEMP_PREFIX));

async function failure(path: string, options: Omit<FetchMediaOptions, 'tempDir'>): Promise<ShenbiError> {
  const error = await fetchMediaToFile(server.url(path), { ...options, tempDir: temp }).then(
    async (file) => {
      await file.remove();
      return assert.fail(`${path} was fetched`);
    },
    (e: unknown) => e,
  );
  assert.ok(error instanceof ShenbiError, `${path}: ${String(error)}`);
  return error;
}

test('a media URL is streamed to a temp file; redirects are followed; the bytes come back and the temp file goes', async () => {
  const bytes = await fetchMediaBytes(server.url('/to-small'), { kind: 'image', settings: local(), tempDir: temp });
  assert.equal(bytes.toString(), 'not really a png, but small');
  const file = await fetchMediaToFile(server.url('/small.png'), { kind: 'image', settings: local(), tempDir: temp });
  assert.equal(file.size, 27);
  assert.equal(file.contentType, 'image/png');
  assert.ok(file.path.startsWith(join(temp, MEDIA_FETCH_TEMP_PREFIX)));
  await file.remove();
  assert.deepEqual(await leftovers(), []);
});

test('a chunked body past the kind limit is cut off (PAYLOAD_TOO_LARGE) and its temp file is gone', async () => {
  const closedBefore = server.stats.closedByClient;
  const error = await failure('/chunked-64mb', { kind: 'image', settings: local({ maxBytes: { ...DEFAULT_MEDIA_FETCH.maxBytes, image: 1 * MiB } }) });
  assert.equal(error.code, 'PAYLOAD_TOO_LARGE');
  assert.match(error.message, /larger than the 1 MiB limit for image/);
  assert.equal(error.details?.limitBytes, 1 * MiB);
  assert.deepEqual(await leftovers(), []);
  for (let i = 0; i < 50 && server.stats.closedByClient === closedBefore; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(server.stats.closedByClient, closedBefore + 1, 'the client hung up mid-body');
  // The limit is per kind: a 5 MiB body fits the audio limit.
  const audio = await fetchMediaBytes(server.url('/chunked-5mb'), { kind: 'audio', settings: local(), tempDir: temp });
  assert.equal(audio.length, 5 * MiB);
});

test('a Content-Length over the limit is refused before the body is read', async () => {
  const before = server.stats.bodyBytesSent;
  const error = await failure('/declared-1gb', { kind: 'video', settings: local({ maxBytes: { ...DEFAULT_MEDIA_FETCH.maxBytes, video: 64 * MiB } }) });
  assert.equal(error.code, 'PAYLOAD_TOO_LARGE');
  assert.deepEqual(await leftovers(), []);
  // Whatever left the server sits in socket buffers: far less than the limit, let alone the 1 GiB.
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(server.stats.bodyBytesSent - before < 64 * MiB, `${server.stats.bodyBytesSent - before} bytes sent`);
});

test('a server trickling one byte per second is cut off by the idle timeout', async () => {
  const started = performance.now();
  const error = await failure('/trickle-1-per-second', { kind: 'image', settings: local({ idleTimeoutMs: 300 }) });
  assert.equal(error.code, 'ENGINE_TIMEOUT');
  assert.equal(error.retryable, false, 'a stalled server is not retried');
  assert.match(error.message, /sent nothing for 0\.3 s/);
  assert.ok(performance.now() - started < 20_000);
  assert.deepEqual(await leftovers(), []);
});

test('a server that keeps sending slowly is cut off by the total deadline', async () => {
  // One byte every 50 ms never trips a 5 s idle timeout; the 1 s total deadline ends it.
  const error = await failure('/trickle-fast', { kind: 'image', settings: local({ idleTimeoutMs: 5_000, totalTimeoutMs: 1_000 }) });
  assert.equal(error.code, 'ENGINE_TIMEOUT');
  assert.match(error.message, /took longer than 1 s/);
  assert.deepEqual(await leftovers(), []);
});

test('a server that accepts and never answers headers hits the deadline', async () => {
  const idle = await failure('/hang', { kind: 'audio', settings: local({ idleTimeoutMs: 300, totalTimeoutMs: 60_000 }) });
  assert.equal(idle.code, 'ENGINE_TIMEOUT');
  const total = await failure('/hang', { kind: 'audio', settings: local({ idleTimeoutMs: 60_000, totalTimeoutMs: 400 }) });
  assert.equal(total.code, 'ENGINE_TIMEOUT');
  assert.match(total.message, /took longer than 0\.4 s/);
  // The connections were closed by the client, not left hanging.
  for (let i = 0; i < 50 && server.stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(server.stats.inFlight, 0);
  assert.deepEqual(await leftovers(), []);
});

test('name resolution that never finishes hits the connect timeout', async () => {
  const named = await fetchMediaToFile(server.url('/small.png').replace('127.0.0.1', 'slow-dns.example'), {
    kind: 'image',
    settings: local({ connectTimeoutMs: 300 }),
    resolveHost: () => new Promise(() => {}),
    tempDir: temp,
  }).then(() => assert.fail('fetched'), (e: unknown) => e as ShenbiError);
  assert.equal(named.code, 'ENGINE_TIMEOUT');
  assert.match(named.message, /could not connect to slow-dns\.example:\d+ within 0\.3 s/);
  assert.deepEqual(await leftovers(), []);
});

test('the job signal aborts a fetch with its own reason, and the temp file goes', async () => {
  const controller = new AbortController();
  const reason = new ShenbiError('JOB_CANCELLED', 'cancelled by the test');
  setTimeout(() => controller.abort(reason), 300);
  const error = await failure('/trickle-1-per-second', { kind: 'image', settings: local(), signal: controller.signal });
  assert.equal(error, reason);
  assert.deepEqual(await leftovers(), []);
});

test('more than five redirects are refused', async () => {
  const error = await failure('/loop', { kind: 'image', settings: local() });
  assert.equal(error.code, 'MEDIA_INVALID');
  assert.match(error.message, /redirected more than 5 times/);
  assert.equal(server.requestsTo('/loop').length, 6);
});

test('memory: a 200 MB chunked body against a 50 MB limit keeps RSS growth well under 200 MB', async (t) => {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const error = await failure('/chunked-200mb', { kind: 'video', settings: local({ maxBytes: { ...DEFAULT_MEDIA_FETCH.maxBytes, video: 50 * MiB } }) });
    assert.equal(error.code, 'PAYLOAD_TOO_LARGE');
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const growthMb = (peak - baseline) / MiB;
  t.diagnostic(`peak RSS growth while cutting off a 200 MB body at 50 MB: ${growthMb.toFixed(1)} MB`);
  assert.ok(growthMb < 80, `RSS grew ${growthMb.toFixed(1)} MB`);
  assert.deepEqual(await leftovers(), []);
});

test('config media.fetch: limits and deadlines are configurable, capped, and private networks are off by default', async () => {
  const settings = resolveMediaFetchSettings({ maxMb: { image: 8 }, idleTimeoutSeconds: 2, allowPrivateNetworks: ['10.20.0.0/16'] });
  assert.equal(settings.maxBytes.image, 8 * MiB);
  assert.equal(settings.maxBytes.video, DEFAULT_MEDIA_FETCH.maxBytes.video);
  assert.equal(settings.idleTimeoutMs, 2_000);
  assert.deepEqual(settings.allowPrivateNetworks, ['10.20.0.0/16']);
  const home = join(temp, 'home');
  await mkdir(home, { recursive: true });
  const file = join(home, 'config.json');
  const load = async (media: unknown) => {
    await writeFile(file, JSON.stringify({ media }));
    return loadConfig({ configPath: file, env: {}, overrides: { home } });
  };
  assert.equal((await load({})).media.fetch.allowPrivateNetworks, false);
  assert.deepEqual((await load({ fetch: { maxMb: { audio: 100 }, totalTimeoutSeconds: 30 } })).media.fetch, { ...DEFAULT_MEDIA_FETCH, maxBytes: { ...DEFAULT_MEDIA_FETCH.maxBytes, audio: 100 * MiB }, totalTimeoutMs: 30_000 });
  for (const bad of [{ fetch: { maxMb: { video: 4096 } } }, { fetch: { allowPrivateNetworks: ['not a range'] } }, { fetch: { idleTimeoutSeconds: 0 } }, { fetch: { unknown: 1 } }]) {
    await assert.rejects(load(bad), (e: unknown) => e instanceof ShenbiError && e.code === 'CONFIG_INVALID', JSON.stringify(bad));
  }
});
