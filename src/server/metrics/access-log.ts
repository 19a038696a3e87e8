import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../core/log.ts';
import type { ServerEnv } from '../context.ts';
import type { ServerMetrics } from './server-metrics.ts';

/** Requests no route matched (marked by the app's notFound handler): they share one label. */
const unmatched = new WeakSet<Request>();

export function markUnmatched(request: Request): void {
  unmatched.add(request);
}

/** A caller's own request id is kept when it is short and plain (it goes into logs verbatim). */
const CALLER_REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * First middleware: gives each request an id (the caller's `x-request-id` when plain, else a
 * new one; echoed in the response), then records one access line and the HTTP metrics with
 * the route pattern (`/api/jobs/:id`, never the raw path: bounded labels, no ids in metrics).
 * Logged: method, route, status, ms, request id, and the tenant when a key was used — never
 * keys, headers or bodies. Streams (SSE) are logged when their headers are sent.
 */
export function accessLog(logger: Logger, metrics: ServerMetrics): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const started = performance.now();
    const presented = c.req.header('x-request-id');
    const requestId = presented !== undefined && CALLER_REQUEST_ID.test(presented) ? presented : randomBytes(8).toString('hex');
    c.header('x-request-id', requestId);
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      const status = c.res.status;
      // Unmatched paths all share one label (their raw paths are unbounded).
      const route = unmatched.has(c.req.raw) ? 'unmatched' : c.req.routePath;
      metrics.request(c.req.method, route, status, ms / 1000);
      const principal = c.get('principal') as ServerEnv['Variables']['principal'] | undefined;
      logger.info({ requestId, method: c.req.method, route, status, ms: Math.round(ms * 10) / 10, ...(principal?.key ? { tenant: principal.tenant } : {}) }, 'request');
    }
  };
}
