import { isIPv6 } from 'node:net';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a refused connection may stay open to receive its 503 before it is closed. */
const REFUSED_GRACE_MS = 1000;

/**
 * The address a per-client cap counts by: IPv4 as is (also when IPv4-mapped), IPv6 by its
 * /64, since one host commonly holds a whole /64 and could otherwise rotate addresses.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (!isIPv6(bare)) return bare;
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Caps the connections one client holds open at once (loopback clients too). A connection
 * over the cap is not served: its first request is answered 503 TOO_MANY_CONNECTIONS with
 * `Connection: close`, and it is closed within a second even if it never sends one.
 */
export class ConnectionCaps {
  readonly #open = new Map<string, number>();
  readonly #refused = new WeakSet<Socket>();

  constructor(readonly maxPerClient: number) {}

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#admit(socket));
  }

  /** Whether requests on this socket are to be answered 503 instead of served. */
  refuses(socket: Socket): boolean {
    return this.#refused.has(socket);
  }

  /** Open connections counted for a client address. */
  openFrom(address: string): number {
    return this.#open.get(clientKey(address)) ?? 0;
  }

  #admit(socket: Socket): void {
    const key = clientKey(socket.remoteAddress);
    const open = this.#open.get(key) ?? 0;
    if (open >= this.maxPerClient) {
      this.#refused.add(socket);
      const timer = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    this.#open.set(key, open + 1);
    socket.once('close', () => {
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left <= 0) this.#open.delete(key);
      else this.#open.set(key, left);
    });
  }
}
