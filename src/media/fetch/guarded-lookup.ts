import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { ShenbiError } from '../../core/errors.ts';
import { addressAllowed, type PrivateNetworkAllowance } from './address-policy.ts';

/** Every address a host name resolves to. Injected in tests; default: the system resolver. */
export type HostResolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** PATH_NOT_ALLOWED for a media URL that leads to a non-public address; names no resolved address. */
export function privateAddressRefused(host: string): ShenbiError {
  return new ShenbiError('PATH_NOT_ALLOWED', `${host} is not a public address; media URLs must lead to the public internet.`, {
    hint: 'Give a public http(s) URL, an artifact id or an upload id. Operators who fetch from an internal store can set media.fetch.allowPrivateNetworks in config.json.',
    details: { host },
  });
}

/**
 * The `lookup` node:http uses to connect: it resolves the name once, refuses the connection
 * unless every address is public, and hands exactly the checked addresses to the socket —
 * so no second resolution (DNS rebinding) can slip another address in between.
 */
export function guardedLookup(resolve: HostResolver, options: { allowPrivateNetworks: PrivateNetworkAllowance }): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 6 || lookupOptions.family === 'IPv6' ? 6 : 0;
        const addresses = resolved.filter((a) => family === 0 || a.family === family);
        if (addresses.length === 0) {
          const error = Object.assign(new Error(`${hostname} has no ${family === 0 ? '' : `IPv${family} `}address`), { code: 'ENOTFOUND' });
          callback(error, '', 0);
          return;
        }
        if (!resolved.every((a) => addressAllowed(a.address, options.allowPrivateNetworks))) {
          callback(privateAddressRefused(hostname), '', 0);
          return;
        }
        if (lookupOptions.all === true) callback(null, addresses.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
