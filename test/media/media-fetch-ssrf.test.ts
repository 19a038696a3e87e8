import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { fetchMediaBytes } from '../../src/media/fetch/fetch-media.ts';
import type { HostResolver } from '../../src/media/fetch/guarded-lookup.ts';
import { DEFAULT_MEDIA_FETCH, type MediaFetchSettings } from '../../src/media/fetch/media-fetch-settings.ts';
import { isPublicAddress } from '../../src/media/fetch/public-address.ts';
import { faults, privateAddressUrls, startFaultServer, type FaultServer } from '../helpers/fault-server.ts';

/** The server a request must never reach: it answers with a "secret" and counts every request. */
let secret: FaultServer;
/** A second private target on another loopback address (127.0.0.2), for redirects out of an allowed range. */
let inner: { server: Server; port: number; hits: number };

before(async () => {
  secret = await startFaultServer({ routes: {}, fallback: faults.body('metadata-secret', 200, { 'content-type': 'image/png' }) });
  inner = { server: createServer((_req, res) => { inner.hits++; res.end('internal-secret'); }), port: 0, hits: 0 };
  await new Promise<void>((resolve) => inner.server.listen(0, '127.0.0.2', resolve));
  inner.port = (inner.server.address() as AddressInfo).port;
});
after(async () => {
  await secret.close();
  await new Promise((resolve) => inner.server.close(resolve));
});

async function refusal(url: string, options: { settings?: MediaFetchSettings; resolveHost?: HostResolver } = {}): Promise<ShenbiError> {
  const error = await fetchMediaBytes(url, { kind: 'image', ...options }).then(
    () => assert.fail(`${url} was fetched`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ShenbiError, `${url}: ${String(error)}`);
  assert.equal(error.code, 'PATH_NOT_ALLOWED', `${url}: ${error.code} ${error.message}`);
  return error;
}

test('every private, loopback, link-local, mapped, NAT64, 6to4/Teredo-to-private, reserved and unspecified address is not public', () => {
  const refused = [
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '0.1.2.3',
    '255.255.255.255', '224.0.0.1', '239.255.255.250', '240.0.0.1', '192.0.0.8', '192.0.2.1', '198.51.100.7', '203.0.113.9', '198.18.0.1', '198.19.255.1',
    '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'fe80::1%lo', 'fec0::1', 'ff02::1', '2001:db8::1', '2001:2::1', '100::1', '3fff::1', '4000::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::ffff:10.0.0.1', '::ffff:0:7f00:1', '::127.0.0.1', '::7f00:1',
    '64:ff9b::7f00:1', '64:ff9b::808:808', '64:ff9b:1::a00:1', '2002:7f00:1::1', '2002:a9fe:a9fe::1', '2001:0:7f00:1::1', '2001:0:808:808::80ff:fffe',
    'not-an-address', '',
  ];
  for (const a of refused) assert.equal(isPublicAddress(a), false, a);
  for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '2002:808:808::1']) assert.equal(isPublicAddress(a), true, a);
});

test('IP-literal media URLs of private addresses are refused before any connection, in every spelling', async () => {
  const port = secret.port;
  const urls = [
    ...privateAddressUrls(port, '/x.png'),
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::ffff:7f00:1]:${port}/`,
    `http://[::ffff:169.254.169.254]/latest/meta-data/`,
    `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/`,
    `http://[::127.0.0.1]:${port}/`,
    `http://[64:ff9b::127.0.0.1]:${port}/`,
    `http://[2002:7f00:1::]:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f.1:${port}/`,
    `http://0177.0.0.1:${port}/`,
    `http://127.1:${port}/`,
    `http://0x7f000001:${port}/`,
    `https://[::1]:${port}/`,
  ];
  for (const url of urls) await refusal(url);
  assert.equal(secret.requests.length, 0, 'no request reached the private server');
});

test('a public-looking host name that resolves to a private address is refused, and the checked address is the one connected to', async () => {
  const calls: string[] = [];
  const to = (...addresses: string[]): HostResolver => async (host) => {
    calls.push(host);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  await refusal(`http://media.example.com:${secret.port}/x.png`, { resolveHost: to('127.0.0.1') });
  await refusal(`http://cdn.example.net:${secret.port}/x.png`, { resolveHost: to('::ffff:127.0.0.1') });
  await refusal(`http://metadata.example.org/latest`, { resolveHost: to('169.254.169.254') });
  // One private address among public ones is enough: the socket could pick any of them.
  await refusal(`http://mixed.example.com:${secret.port}/x.png`, { resolveHost: to('93.184.216.34', '127.0.0.1') });
  assert.equal(secret.requests.length, 0);
  // One resolution per connection: nothing resolves the name a second time (DNS rebinding).
  assert.deepEqual(calls, ['media.example.com', 'cdn.example.net', 'metadata.example.org', 'mixed.example.com']);

  // The same name allowed (private networks on): the connection goes to exactly the resolved address.
  const allowed = { ...DEFAULT_MEDIA_FETCH, allowPrivateNetworks: true };
  const bytes = await fetchMediaBytes(`http://media.example.com:${secret.port}/x.png`, { kind: 'image', settings: allowed, resolveHost: to('127.0.0.1') });
  assert.equal(bytes.toString(), 'metadata-secret');
  assert.equal(secret.requests.length, 1);
  assert.equal(secret.requests[0]!.headers.host, `media.example.com:${secret.port}`);
});

test('a redirect from an allowed server to a private address is refused, every hop checked, and the private server gets nothing', async () => {
  // Only 127.0.0.1 is allowed (as an operator would allow one internal media store); 127.0.0.2 is "private".
  const settings = { ...DEFAULT_MEDIA_FETCH, allowPrivateNetworks: ['127.0.0.1/32'] };
  const p = inner.port;
  const targets = [
    `http://127.0.0.2:${p}/secret`,
    `http://[::ffff:127.0.0.2]:${p}/secret`,
    `http://[::ffff:7f00:2]:${p}/secret`,
    `http://2130706434:${p}/secret`,
    `http://0x7f.0.0.2:${p}/secret`,
    `http://internal.example.com:${p}/secret`,
    `http://[::1]:${p}/secret`,
    `http://169.254.169.254/latest/meta-data/`,
    `http://[::ffff:169.254.169.254]/latest/meta-data/`,
    `file:///etc/passwd`,
  ];
  const hop = await startFaultServer({ routes: Object.fromEntries(targets.map((location, i) => [`/r${i}`, faults.redirect(location, i % 2 === 0 ? 302 : 307)])) });
  try {
    const resolveHost: HostResolver = async (host) => [{ address: host === 'internal.example.com' ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    for (const [i, target] of targets.entries()) {
      const error = await fetchMediaBytes(hop.url(`/r${i}`), { kind: 'image', settings, resolveHost }).then(() => assert.fail(`redirect to ${target} was followed`), (e: unknown) => e as ShenbiError);
      assert.equal(error.code, 'PATH_NOT_ALLOWED', `${target}: ${error.message}`);
    }
    assert.equal(hop.requests.length, targets.length, 'every first hop was made');
    assert.equal(inner.hits, 0, 'no request reached 127.0.0.2');

    // Control: with 127.0.0.0/8 allowed, the same redirect does reach it (so a request would have been seen).
    const open = await fetchMediaBytes(hop.url('/r0'), { kind: 'image', settings: { ...settings, allowPrivateNetworks: ['127.0.0.0/8'] } });
    assert.equal(open.toString(), 'internal-secret');
    assert.equal(inner.hits, 1);
  } finally {
    await hop.close();
  }
});

test('only http(s) media URLs are fetched', async () => {
  for (const url of ['file:///etc/passwd', 'ftp://example.com/x.png', 'gopher://127.0.0.1:70/', 'data:image/png;base64,AAAA']) await refusal(url);
});
