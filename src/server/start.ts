import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Shenbi } from '../shenbi.ts';
import { createServer, type ServerOptions, type ShenbiServerApp } from './app.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  server: ShenbiServerApp;
  /** Stops listening, ends open streams, and releases the server's resources (not Shenbi). */
  close(): Promise<void>;
}

/** Builds the server and listens; resolves once the socket is bound. */
export async function startServer(shenbi: Shenbi, options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const built = await createServer(shenbi, options);
  const http = createAdaptorServer({ fetch: built.app.fetch, hostname: host }) as Server;
  // A client that sends headers or a body too slowly is cut off; streams (SSE) are responses and are not limited.
  http.headersTimeout = 10_000;
  // Long enough for a large upload (POST /api/uploads, up to uploads.maxMb) on a slow link.
  http.requestTimeout = 30 * 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 8787, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await built.close();
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  built.setPort(port);
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
        await built.close();
      })();
      return closing;
    },
  };
}
