import { webhookRegistry } from '../engines/providers/webhook-registry.ts';
import { Hono } from 'hono';
import { ShenbiError, toShenbiError } from '../core/errors.ts';
import type { Shenbi } from '../shenbi.ts';
import { openDatabase } from '../store/db/connect.ts';
import { ApiKeyRepository } from './auth/api-key-repository.ts';
import type { ServerEnv, ServerServices } from './context.ts';
import { errorResponse } from './http-error.ts';
import { JobEventLog } from './job-event-log.ts';
import { authenticate } from './middleware/authenticate.ts';
import { originGuard } from './middleware/origin-guard.ts';
import { cheapBodyLimit } from './middleware/body-limit.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { RedisTokenBuckets } from './middleware/redis-token-buckets.ts';
import { MemoryTokenBuckets, type TokenBuckets } from './middleware/token-buckets.ts';
import { accessLog, markUnmatched } from './metrics/access-log.ts';
import { ServerMetrics } from './metrics/server-metrics.ts';
import { databaseCheck, type ReadinessCheck } from './readiness.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { JobInfoCache } from '../jobs/job-info.ts';
import { attachJobLogs } from '../jobs/job-logs.ts';
import { registerAudioRoutes, MAX_AUDIO_UPLOAD_BYTES } from './openai/audio.ts';
import { registerChatRoutes } from './openai/chat.ts';
import { registerEmbeddingRoutes } from './openai/embeddings.ts';
import { registerImageRoutes } from './openai/images.ts';
import { registerOpenAiModelRoutes } from './openai/models.ts';
import { registerModerationRoutes } from './openai/moderations.ts';
import { buildOpenApi } from './openapi.ts';
import { RouteBook } from './route-book.ts';
import { registerArtifactRoutes } from './routes/artifacts.ts';
import { registerCatalogRoutes } from './routes/catalog.ts';
import { registerJobRoutes } from './routes/jobs.ts';
import { registerUploadRoutes } from './routes/uploads.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import { UploadRepository } from './uploads/upload-repository.ts';
import { QuotaMeter } from './quota/quota-meter.ts';
import { UsageReservations } from './quota/usage-reservations.ts';
import { startUploadSweeper } from './uploads/upload-sweeper.ts';
import { KeyPresence } from './auth/key-presence.ts';
import { UploadStore } from './uploads/upload-store.ts';
import { staticFiles } from './static-files.ts';
import type { TextModels } from '../pipelines/steps/text/text-models.ts';
import type { ServerLimits } from '../config/server-limits.ts';

export interface ServerOptions {
  /** Default 127.0.0.1. Any other address needs at least one API key. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Origins (besides the server's own) whose pages may call a loopback server, e.g. a Vite dev server. */
  allowedOrigins?: string[];
  /** Host header values (besides 127.0.0.1/localhost/[::1] on the port) a loopback server answers. */
  allowedHosts?: string[];
  /** Largest JSON body, bytes (default 4 MiB). Audio uploads may be 25 MiB. */
  bodyLimitBytes?: number;
  /** A built studio (dist/web) to serve, with index.html for client-side routes. */
  staticDir?: string;
  /** Text models for /v1; default: resolved from Shenbi's config and model manager. */
  textModels?: TextModels;
  /** Header and body timeouts and connection caps; default: the config's `server` section. */
  limits?: Partial<ServerLimits>;
  /** JSON-lines logger for access and job lines; default createLogger() (SHENBI_LOG_LEVEL, stderr). */
  logger?: Logger;
  /** Redis that counts rate limits for every server on it; default the config's `queue` URL (null: this process counts). */
  rateLimitRedisUrl?: string | null;
  /** More /readyz checks besides the database and `shenbi.readiness()`. */
  readinessChecks?: ReadinessCheck[];
}

/** Shenbi's checks of the shared services it uses (Redis, S3), when it offers them. */
export interface ShenbiServerApp {
  app: Hono<ServerEnv>;
  services: ServerServices;
  /** Whether the server only listens on loopback (keyless access allowed, Origin checked). */
  loopback: boolean;
  /** Sets the port the Origin guard expects, once the socket is bound. */
  setPort(port: number): void;
  close(): Promise<void>;
}

const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|::1|localhost)$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOST.test(host.replace(/^\[|\]$/g, ''));
}

/**
 * The HTTP API as a Hono app: a small core (errors, 404s) with behaviour added by explicit
 * middleware in order (Origin guard → studio files → body limit → authentication → rate
 * limit and quotas), then the routes, each stating the scope it needs.
 */
export async function createServer(shenbi: Shenbi, options: ServerOptions = {}): Promise<ShenbiServerApp> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  const database = await openDatabase(shenbi.config.database);
  const keys = new ApiKeyRepository(database.db);
  if (!loopback && !(await keys.anyActive())) {
    await database.close();
    throw new ShenbiError('BIND_REFUSED', `Refusing to listen on ${host}: no API key exists, so anyone who can reach it could use it.`, {
      hint: 'Create a key first (shenbi apikeys create --tenant NAME --scopes generate,jobs:read), or listen on 127.0.0.1.',
    });
  }
  // One moderator and one llama.cpp pool with the jobs: a model loaded for a job serves chat too.
  const uploads = new UploadStore(new UploadRepository(database.db), shenbi.config.uploads, shenbi.store.uploadObjects ?? null);
  const quotas = new QuotaMeter(new UsageReservations(database.db), () => services);
  const services: ServerServices = { shenbi, keys, moderator: shenbi.moderator, events: new JobEventLog(shenbi.runner, shenbi.store.jobs), text: options.textModels ?? shenbi.textModels, uploads, quotas };
  const logger = options.logger ?? createLogger();
  const jobInfo = new JobInfoCache(shenbi.store.jobs, (jobId) => shenbi.runner.held(jobId));
  const metrics = new ServerMetrics(shenbi.runner, jobInfo);
  const detachJobLogs = attachJobLogs(shenbi.runner, logger, jobInfo);
  const redisUrl = options.rateLimitRedisUrl === undefined ? (shenbi.config.scaleOut?.queue ?? null) : options.rateLimitRedisUrl;
  const buckets: TokenBuckets = redisUrl === null ? new MemoryTokenBuckets() : new RedisTokenBuckets({ url: redisUrl });
  const sweeper = startUploadSweeper(uploads);
  quotas.start();
  // Only a loopback server lets keyless callers in, so only it asks whether keys exist.
  const presence = new KeyPresence(keys);
  if (loopback) presence.start();
  let port = options.port ?? 8787;

  const app = new Hono<ServerEnv>();
  // Before everything else, so refusals by the guards below are logged and counted too.
  app.use('*', accessLog(logger, metrics));
  app.onError((error, c) => {
    metrics.jobs.httpError(toShenbiError(error).code);
    return errorResponse(c, error);
  });
  app.notFound((c) => {
    markUnmatched(c.req.raw);
    metrics.jobs.httpError('ROUTE_NOT_FOUND');
    return errorResponse(c, new ShenbiError('ROUTE_NOT_FOUND', `No route ${c.req.method} ${c.req.path}.`, { hint: 'See GET /api/openapi.json for the routes.' }));
  });

  if (loopback) app.use('*', originGuard({ port: () => port, allowedOrigins: options.allowedOrigins ?? [], allowedHosts: options.allowedHosts ?? [] }));
  if (options.staticDir !== undefined) app.use('*', staticFiles(options.staticDir));

  const tooLarge = (limit: number) => () => {
    throw new ShenbiError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
  };
  const jsonLimit = options.bodyLimitBytes ?? 4 * 1024 * 1024;
  app.use('/v1/audio/transcriptions', cheapBodyLimit({ maxSize: MAX_AUDIO_UPLOAD_BYTES, onError: tooLarge(MAX_AUDIO_UPLOAD_BYTES) }));
  // Uploads stream to disk and count their own bytes against uploads.maxMb (see UploadStore).
  const ownLimit = new Set(['/v1/audio/transcriptions', '/api/uploads']);
  const jsonBodyLimit = cheapBodyLimit({ maxSize: jsonLimit, onError: tooLarge(jsonLimit) });
  for (const prefix of ['/v1/*', '/api/*']) {
    app.use(prefix, async (c, next) => (ownLimit.has(c.req.path) ? next() : jsonBodyLimit(c, next)));
  }

  const book = new RouteBook(app);
  // Public: the API description and a liveness check.
  app.get('/api/openapi.json', (c) => c.json(buildOpenApi(book.docs)));
  app.get('/api/health', (c) => c.json({ ok: true }));
  // Health checks and metrics: before authentication and rate limits, which apply to /api and /v1 only.

  registerOpsRoutes(app, book, {
    metrics,
    keys,
    readiness: [databaseCheck(database.db), ...(options.readinessChecks ?? [])],
    dependencies: [() => shenbi.readiness()],
  });
  registerWebhookRoutes(app, shenbi.config.publicBaseUrl);

  for (const prefix of ['/v1/*', '/api/*']) {
    app.use(prefix, authenticate({ keys, requireKeys: !loopback, presence }));
    app.use(prefix, rateLimit(keys, Date.now, buckets));
  }
  registerOpenAiModelRoutes(book, services);
  registerChatRoutes(book, services);
  registerEmbeddingRoutes(book, services);
  registerAudioRoutes(book, services);
  registerImageRoutes(book, services);
  registerModerationRoutes(book, services);
  registerJobRoutes(book, services);
  registerArtifactRoutes(book, services);
  registerUploadRoutes(book, services);
  registerCatalogRoutes(book, services);
  book.docs.push(
    { method: 'get', path: '/api/openapi.json', summary: 'This document.', tag: 'meta', scope: null },
    { method: 'get', path: '/api/health', summary: 'Liveness.', tag: 'meta', scope: null },
  );

  let closed: Promise<void> | undefined;
  return {
    app,
    services,
    loopback,
    setPort(value) {
      port = value;
    },
    close() {
      closed ??= (async () => {
        services.events.close();
        metrics.close();
        detachJobLogs();
        await buckets.close();
        await sweeper.stop();
        await quotas.stop();
        await presence.stop();
        // Jobs this process runs later must poll again: nothing receives webhooks any more.
        webhookRegistry.setReceiver(undefined);
        await services.text.close();
        await database.close();
      })();
      return closed;
    },
  };
}
