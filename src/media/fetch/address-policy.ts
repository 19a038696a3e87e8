import ipaddr from 'ipaddr.js';
import { isPublicAddress } from './public-address.ts';

/**
 * Which non-public addresses a media fetch may reach anyway: none (the default), all (`true`,
 * for on-prem operators whose media store is internal), or the listed CIDR ranges only
 * (e.g. `["10.20.0.0/16"]`, the narrower choice).
 */
export type PrivateNetworkAllowance = boolean | readonly string[];

/** Whether `cidr` is a range ipaddr.js parses (`10.0.0.0/8`, `fd00::/8`). */
export function isValidCidr(cidr: string): boolean {
  return ipaddr.isValidCIDR(cidr);
}

/** Whether a fetch may connect to `address` under `allowance`. IPv4-mapped IPv6 is matched as its IPv4 address. */
export function addressAllowed(address: string, allowance: PrivateNetworkAllowance): boolean {
  if (allowance === true || isPublicAddress(address)) return true;
  if (allowance === false || allowance.length === 0) return false;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
  return allowance.some((cidr) => {
    const range = ipaddr.parseCIDR(cidr);
    return range[0].kind() === parsed.kind() && parsed.match(range);
  });
}
