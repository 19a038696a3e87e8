import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerLimits } from '../../config/server-limits.ts';
import { ShenbiError } from '../../core/errors.ts';
import { errorBody } from '../http-error.ts';

/**
 * How a request body is timed: `json` (small bodies: an idle and a total limit), `upload`
 * (large files: no total, but a minimum rate over a window), `public` (routes that need no
 * API key: one short limit for idle and total).
 */
export type BodyKind = 'json' | 'upload' | 'public';

/** Routes whose bodies are files. */
const UPLOAD_ROUTES = new Set(['/api/uploads', '/v1/audio/transcriptions']);
/** Routes anyone may call without a key. */
const PUBLIC_ROUTE = /^\/api\/webhooks\//;

/**
 * The timing class of a request. On a server reachable from other machines, a request
 * without any credentials is answered 401 (or is a public route): it gets the short limit.
 */
export function bodyKind(req: IncomingMessage, loopback: boolean): BodyKind {
  const path = (req.url ?? '/').split('?')[0]!;
  if (PUBLIC_ROUTE.test(path)) return 'public';
  const credentials = req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;
  if (!loopback && !credentials) return 'public';
  return UPLOAD_ROUTES.has(path) ? 'upload' : 'json';
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  kind: BodyKind;
  startedAt: number;
  lastBytes: number;
  lastProgressAt: number;
  windowStartedAt: number;
  windowStartBytes: number;
}

type BodyLimits = Pick<ServerLimits, 'bodyIdleTimeoutMs' | 'bodyTimeoutMs' | 'publicBodyTimeoutMs' | 'uploadMinBytesPerSecond' | 'uploadRateWindowMs'>;

/**
 * Cuts off clients that send a request body too slowly (408, then the connection closes).
 * Node's own `requestTimeout` is one total for every route, too short for uploads or too long
 * for everything else; this watches each incomplete body on one timer instead. Progress is
 * the socket's bytes read (the body is not touched, so the handler still reads all of it);
 * data already buffered and not yet read by the handler counts as progress (the server is
 * the slow one then). Only request bodies are timed: responses (SSE) never are.
 */
export class BodyDeadlines {
  readonly #watched = new Set<Watched>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly limits: BodyLimits,
    private readonly now: () => number = Date.now,
  ) {
    const shortest = Math.min(limits.bodyIdleTimeoutMs, limits.bodyTimeoutMs, limits.publicBodyTimeoutMs, limits.uploadRateWindowMs);
    this.#timer = setInterval(() => this.#check(), Math.min(1000, Math.max(20, Math.floor(shortest / 4))));
    this.#timer.unref();
  }

  watch(req: IncomingMessage, res: ServerResponse, kind: BodyKind): void {
    if (req.complete) return;
    const at = this.now();
    const bytes = req.socket.bytesRead;
    const watched: Watched = { req, res, kind, startedAt: at, lastBytes: bytes, lastProgressAt: at, windowStartedAt: at, windowStartBytes: bytes };
    this.#watched.add(watched);
    const forget = () => this.#watched.delete(watched);
    req.once('end', forget);
    req.once('close', forget);
  }

  /** Requests whose bodies are still arriving. */
  get size(): number {
    return this.#watched.size;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#watched.clear();
  }

  #check(): void {
    const at = this.now();
    for (const w of this.#watched) {
      if (w.req.complete || w.req.socket === null || w.req.socket.destroyed) {
        this.#watched.delete(w);
        continue;
      }
      const bytes = w.req.socket.bytesRead;
      if (bytes > w.lastBytes || w.req.readableLength > 0) {
        w.lastBytes = bytes;
        w.lastProgressAt = at;
      }
      const reason = this.#overdue(w, at, bytes);
      if (reason !== undefined) this.#cut(w, reason);
    }
  }

  #overdue(w: Watched, at: number, bytes: number): string | undefined {
    const { limits } = this;
    if (w.kind === 'public') {
      if (at - w.startedAt > limits.publicBodyTimeoutMs) return `The request body did not arrive within ${limits.publicBodyTimeoutMs} ms.`;
      return undefined;
    }
    if (w.kind === 'json') {
      if (at - w.lastProgressAt > limits.bodyIdleTimeoutMs) return `The request body stalled for more than ${limits.bodyIdleTimeoutMs} ms.`;
      if (at - w.startedAt > limits.bodyTimeoutMs) return `The request body did not arrive within ${limits.bodyTimeoutMs} ms.`;
      return undefined;
    }
    if (at - w.windowStartedAt < limits.uploadRateWindowMs) return undefined;
    const rate = ((bytes - w.windowStartBytes) * 1000) / (at - w.windowStartedAt);
    // Backpressure (the handler not reading) is the server's doing, not the client's.
    if (rate < limits.uploadMinBytesPerSecond && w.req.readableLength === 0) {
      return `The upload arrived at ${Math.round(rate)} bytes/s, below the minimum of ${limits.uploadMinBytesPerSecond}.`;
    }
    w.windowStartedAt = at;
    w.windowStartBytes = bytes;
    return undefined;
  }

  #cut(w: Watched, reason: string): void {
    this.#watched.delete(w);
    const socket = w.req.socket;
    if (!w.res.headersSent && socket.writable) {
      const body = JSON.stringify(errorBody(new ShenbiError('REQUEST_TIMEOUT', reason, { hint: 'Send the request body without long pauses; large files go to POST /api/uploads.' })));
      // Written on the socket, as Node does for its own request timeout: the handler may still be reading.
      socket.write(`HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroySoon();
  }
}
