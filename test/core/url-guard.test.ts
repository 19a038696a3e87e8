import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { fetchPublicMedia, isPrivateAddress } from '../../src/pipelines/steps/url-guard.ts';
import { startFakeServer } from '../helpers/fake-providers.ts';

test('private, loopback, link-local and metadata addresses are recognised', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) assert.ok(isPrivateAddress(a), a);
  for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700::1111']) assert.ok(!isPrivateAddress(a), a);
});

test('a media URL pointing at a private address is refused before any request is made (SSRF)', async () => {
  const server = await startFakeServer((req, res) => { res.writeHead(200); res.end('secret'); });
  try {
    const isRefused = (e: unknown) => e instanceof ShenbiError && e.code === 'PATH_NOT_ALLOWED';
    await assert.rejects(fetchPublicMedia(`${server.baseURL}/internal.png`), isRefused);
    await assert.rejects(fetchPublicMedia(server.baseURL.replace('127.0.0.1', 'localhost') + '/x.png'), isRefused);
    await assert.rejects(fetchPublicMedia('http://[::1]:9/x.png'), isRefused);
    await assert.rejects(fetchPublicMedia('file:///etc/passwd'), isRefused);
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});
