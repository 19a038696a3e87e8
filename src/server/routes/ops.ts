import type { Context, Hono, MiddlewareHandler } from 'hono';
import { ShenbiError } from '../../core/errors.ts';
import { errorBody } from '../http-error.ts';
import { authenticate, requireScope } from '../middleware/authenticate.ts';
import type { ApiKeyRepository } from '../auth/api-key-repository.ts';
import type { ServerEnv } from '../context.ts';
import type { ServerMetrics } from '../metrics/server-metrics.ts';
import { checkReadiness, type DependencyProbe, type ReadinessCheck } from '../readiness.ts';
import type { RouteBook } from '../route-book.ts';

export interface OpsRouteOptions {
  metrics: ServerMetrics;
  keys: ApiKeyRepository;
  readiness: readonly ReadinessCheck[];
  dependencies: readonly DependencyProbe[];
}

const LOOPBACK_PEER = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** The TCP peer's address when served by Node (app.request() in tests has none). */
function peerAddress(c: Context<ServerEnv>): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/**
 * /metrics is for the operator: a caller on this machine (loopback peer, e.g. a local
 * Prometheus or node exporter sidecar) needs nothing; anyone else needs an API key with the
 * admin scope (Prometheus: `authorization: { credentials: sk-shenbi-… }`).
 */
function metricsAccess(keys: ApiKeyRepository): MiddlewareHandler<ServerEnv> {
  const keyed = authenticate({ keys, requireKeys: true });
  const admin = requireScope('admin');
  return async (c, next) => {
    const peer = peerAddress(c);
    if (peer !== undefined && LOOPBACK_PEER.test(peer)) return next();
    return keyed(c, async () => {
      await admin(c, next);
    });
  };
}

/**
 * Operations endpoints, outside /api and /v1 so that no key, rate limit or quota applies to
 * the health checks: /healthz (the process answers; touches nothing), /readyz (the database
 * and the configured shared services answer) and /metrics (Prometheus text).
 */
export function registerOpsRoutes(app: Hono<ServerEnv>, book: RouteBook, options: OpsRouteOptions): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const { ready, checks } = await checkReadiness(options.readiness, options.dependencies);
    c.header('cache-control', 'no-store');
    if (ready) return c.json({ status: 'ready', checks });
    const failing = checks.filter((check) => !check.ok).map((check) => check.name);
    // The usual error shape (clients and the studio read `error.code`), with the checks beside it.
    const error = new ShenbiError('NOT_READY', `Not ready: ${failing.join(', ')} not answering.`, { details: { checks } });
    return c.json({ ...errorBody(error), status: 'unavailable', checks }, 503);
  });
  app.get('/metrics', metricsAccess(options.keys), async (c) => {
    const { contentType, body } = await options.metrics.scrape();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });
  book.docs.push(
    { method: 'get', path: '/healthz', summary: 'Liveness: the process answers (touches no dependency). Never keyed or rate-limited.', tag: 'meta', scope: null },
    { method: 'get', path: '/readyz', summary: 'Readiness: 200 when the database (and the configured Redis and S3) answer; 503 naming each failing dependency. Never keyed or rate-limited.', tag: 'meta', scope: null },
    { method: 'get', path: '/metrics', summary: 'Prometheus metrics (text format). Loopback callers need no key; others an API key with the admin scope.', tag: 'meta', scope: 'admin', produces: 'text' },
  );
}
