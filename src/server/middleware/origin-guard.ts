import type { MiddlewareHandler } from 'hono';
import { ShenbiError } from '../../core/errors.ts';

export interface OriginGuardOptions {
  /** The port the server listens on (known once it is bound). */
  port: () => number;
  /** Extra Host header values accepted (e.g. `studio.local:8787`). */
  allowedHosts?: readonly string[];
  /** Extra origins accepted (e.g. a dev server: `http://127.0.0.1:5173`). */
  allowedOrigins?: readonly string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * For a server on loopback: a web page on another site must not drive it through the
 * user's browser. Requests must name this server in Host (a DNS-rebound name fails) and,
 * when a browser sends an Origin, come from this server's own origin or an allowed one.
 */
export function originGuard(options: OriginGuardOptions): MiddlewareHandler {
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase()));
  const allowedHosts = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  return async (c, next) => {
    const port = options.port();
    const ownHosts = new Set(LOOPBACK_NAMES.map((name) => `${name}:${port}`));
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!ownHosts.has(host) && !allowedHosts.has(host)) {
      throw new ShenbiError('ORIGIN_REFUSED', `Host "${host}" is not this server; a loopback server answers only to 127.0.0.1, localhost or [::1] on port ${port}.`, {
        hint: 'Open the studio at http://127.0.0.1:PORT, or start the server with --allow-host.',
      });
    }
    const origin = c.req.header('origin')?.toLowerCase();
    if (origin !== undefined && origin !== 'null' && origin !== `http://${host}` && !allowedOrigins.has(origin)) {
      throw new ShenbiError('ORIGIN_REFUSED', `Cross-site request from ${origin} refused.`, { hint: 'Start the server with --allow-origin ORIGIN to let that site call it.' });
    }
    // An opaque origin ("null": sandboxed frames, file:// pages) or a cross-site fetch without Origin.
    if (origin === 'null' || (origin === undefined && c.req.header('sec-fetch-site') === 'cross-site')) {
      throw new ShenbiError('ORIGIN_REFUSED', 'Cross-site request refused.');
    }
    await next();
  };
}
