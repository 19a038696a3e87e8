import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ShenbiError } from '../../core/errors.ts';

/** IPv4/IPv6 ranges a fetch on a user's behalf must never reach: loopback, private, link-local, metadata. */
export function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = address.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80') || v6.startsWith('ff');
}

/**
 * Fetches a media URL given by a user, refusing anything that resolves to a private address
 * (SSRF: a job must not be a way to read the operator's internal network) and anything over
 * `maxBytes`. Redirects are followed by hand so each hop is checked too.
 */
export async function fetchPublicMedia(url: string, options: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<Buffer> {
  let current = new URL(url);
  for (let hop = 0; hop < 5; hop++) {
    if (current.protocol !== 'https:' && current.protocol !== 'http:') throw new ShenbiError('PATH_NOT_ALLOWED', `only http(s) media URLs are accepted, not ${current.protocol}`);
    const host = current.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true }).catch((error: unknown) => {
      throw new ShenbiError('MEDIA_INVALID', `cannot resolve ${host}: ${(error as Error).message}`, { cause: error });
    });
    if (addresses.some((a) => isPrivateAddress(a.address))) {
      throw new ShenbiError('PATH_NOT_ALLOWED', `${current.host} resolves to a private address; media URLs must be public`, { details: { host: current.host } });
    }
    const response = await fetch(current, { redirect: 'manual', ...(options.signal ? { signal: options.signal } : {}) });
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      current = new URL(response.headers.get('location')!, current);
      continue;
    }
    if (!response.ok) throw new ShenbiError('MEDIA_INVALID', `fetching ${current.href} failed (${response.status})`);
    const limit = options.maxBytes ?? 2 * 1024 ** 3;
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > limit) throw new ShenbiError('MEDIA_INVALID', `${current.href} is ${declared} bytes; the limit is ${limit}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > limit) throw new ShenbiError('MEDIA_INVALID', `${current.href} is over the ${limit}-byte limit`);
    return bytes;
  }
  throw new ShenbiError('MEDIA_INVALID', `too many redirects fetching ${url}`);
}
