import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../config/server-limits.ts';
import { ShenbiError } from '../core/errors.ts';
import type { Shenbi } from '../shenbi.ts';
import { DEFAULT_JOB_TIMINGS } from '../config/job-timings.ts';
import { createServer, type ServerOptions, type ShenbiServerApp } from './app.ts';
import { BodyDeadlines, bodyKind } from './connections/body-deadlines.ts';
import { ConnectionCaps } from './connections/connection-caps.ts';
import { errorBody } from './http-error.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  server: ShenbiServerApp;
  /** Stops listening, ends open streams, and releases the server's resources (not Shenbi). */
  close(): Promise<void>;
}

/** A port someone else holds becomes PORT_IN_USE with the way out; other listen errors pass through. */
function listenError(error: unknown, host: string, port: number): unknown {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return error;
  const other = port < 65_535 ? port + 1 : 8788;
  return new ShenbiError('PORT_IN_USE', `Port ${port} on ${host} is already in use by another program.`, {
    hint: `Choose another port: \`shenbi serve --port ${other}\` (or \`npm start -- --port ${other}\`); \`--port 0\` picks any free port.`,
    details: { host, port },
    cause: error,
  });
}

/** Builds the server and listens; resolves once the socket is bound. */
export async function startServer(shenbi: Shenbi, options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const built = await createServer(shenbi, options);
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...shenbi.config.server, ...options.limits };
  const listener = getRequestListener(built.app.fetch, { hostname: host });
  const caps = new ConnectionCaps(limits.maxConnectionsPerIp);
  // Bodies are timed per route (BodyDeadlines), so Node's one total for all routes is off.
  const deadlines = new BodyDeadlines(limits);
  const http = createHttpServer(
    // Node checks headersTimeout every connectionsCheckingInterval (default 30 s): check often enough to honour it.
    { headersTimeout: limits.headersTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))) },
    (req, res) => {
      if (caps.refuses(req.socket)) {
        const body = JSON.stringify(errorBody(new ShenbiError('TOO_MANY_CONNECTIONS', `This address has ${limits.maxConnectionsPerIp} connections open, the most allowed.`, { hint: 'Close a connection (or reuse one) and retry.' })));
        res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' }).end(body);
        return;
      }
      deadlines.watch(req, res, bodyKind(req, built.loopback));
      void listener(req, res);
    },
  );
  http.maxConnections = limits.maxConnections;
  caps.attach(http);
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 8787, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    deadlines.close();
    await built.close();
    throw listenError(error, host, options.port ?? 8787);
  }
  const port = (http.address() as AddressInfo).port;
  built.setPort(port);
  // Jobs of a process that died (this server before a restart, a CLI run, another server on the
  // same database) are taken up once their leases go stale, now and for as long as this serves.
  const stopRecovering = shenbi.runner.recoverContinuously((shenbi.config.jobs ?? DEFAULT_JOB_TIMINGS).recoverEveryMs);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server: built,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          // SSE subscribers and keep-alive sockets would hold close() open forever.
          http.closeAllConnections();
        });
        deadlines.close();
        await stopRecovering();
        await built.close();
      })();
      return closing;
    },
  };
}
