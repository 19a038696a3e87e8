import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newArtifact } from '../store/fixtures.ts';
import { startTestServer, type TestServer } from './helpers.ts';

let t: TestServer;
let url: string;
let size: number;
let bytes: Buffer;
before(async () => {
  t = await startTestServer({ withModel: false });
  const artifact = await t.shenbi.store.artifacts.put(newArtifact('0123456789 an artifact to read in ranges'));
  url = `${t.url}/api/artifacts/${artifact.id}`;
  ({ bytes } = await t.shenbi.store.artifacts.read(artifact.id));
  size = bytes.length;
});
after(() => t.close());

function ranged(range: string): Promise<Response> {
  return fetch(url, { headers: { range } });
}

test('unsatisfiable or malformed ranges are 416 with Content-Range: bytes */SIZE', async () => {
  for (const range of ['bytes=999999999-', `bytes=${size}-`, `bytes=${size}-${size + 10}`, 'bytes=5-2', 'bytes=-0', 'bytes=-', 'bytes=abc', 'bytes=0-1,4-5', 'items=0-1', 'bytes 0-1', 'bytes=99999999999999999999999-']) {
    const r = await ranged(range);
    const text = await r.text();
    assert.equal(r.status, 416, `${range}: ${text}`);
    assert.equal(r.headers.get('content-range'), `bytes */${size}`, range);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'RANGE_NOT_SATISFIABLE', range);
  }
});

test('satisfiable ranges still answer 206 with the bytes; no Range is 200', async () => {
  const cases: [string, number, number][] = [
    ['bytes=0-3', 0, 3],
    ['bytes=2-', 2, size - 1],
    ['bytes=-4', size - 4, size - 1],
    [`bytes=0-${size + 1000}`, 0, size - 1],
    ['bytes=-99999999', 0, size - 1],
  ];
  for (const [range, first, last] of cases) {
    const r = await ranged(range);
    assert.equal(r.status, 206, range);
    assert.equal(r.headers.get('content-range'), `bytes ${first}-${last}/${size}`, range);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes.subarray(first, last + 1), range);
  }
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);
});
