import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Whether a fetch on a user's behalf may connect to this IP address: only ordinary public
 * unicast. Everything ipaddr.js classifies otherwise is refused — private (RFC 1918), loopback,
 * link-local (cloud metadata), carrier-grade NAT, unspecified, broadcast, multicast, reserved,
 * benchmarking, documentation, unique-local (fc00::/7), site-local, NAT64 (64:ff9b::/96,
 * 64:ff9b:1::/48), discard, ORCHID and the like — and IPv6 outside 2000::/3. Addresses that
 * carry an IPv4 address (mapped ::ffff:a.b.c.d, translated, 6to4, Teredo) are judged by the
 * IPv4 address they lead to; the deprecated IPv4-compatible form (::a.b.c.d) is refused.
 * Anything that does not parse is refused.
 */
export function isPublicAddress(address: string): boolean {
  let parsed: Address;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
  return isPublic(parsed);
}

function isPublic(ip: Address): boolean {
  if (ip.kind() === 'ipv4') return ip.range() === 'unicast';
  const v6 = ip as ipaddr.IPv6;
  const p = v6.parts;
  switch (v6.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d — a dual-stack socket connects to a.b.c.d itself
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return isPublic(v4(p[6]!, p[7]!));
    case '6to4': // 2002:AABB:CCDD::/48 relays to AA.BB.CC.DD
      return isPublic(v4(p[1]!, p[2]!));
    case 'teredo': // 2001:0:SSSS:SSSS:flags:port:~CCCC:~CCCC — server and (obfuscated) client
      return isPublic(v4(p[2]!, p[3]!)) && isPublic(v4(~p[6]! & 0xffff, ~p[7]! & 0xffff));
    case 'unicast':
      // ::a.b.c.d (IPv4-compatible, deprecated) and anything outside global unicast 2000::/3.
      if (p.slice(0, 6).every((part) => part === 0)) return false;
      return (p[0]! & 0xe000) === 0x2000;
    default:
      return false;
  }
}

function v4(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}
