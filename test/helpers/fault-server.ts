import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A misbehaving HTTP provider on 127.0.0.1 for fault-injection tests: each route answers
 * with a scripted `Fault` (429 + Retry-After, 5xx, resets mid-body, truncated SSE/JSON,
 * trickle, lazily generated huge bodies, never answering, redirects to private addresses).
 *
 *   const server = await startFaultServer({ routes: {
 *     'POST /v1/chat/completions': [faults.status(429, { retryAfter: 1 }), faults.json({ ok: true })],
 *     '/big.mp4': faults.huge(2 * 1024 ** 3, { contentType: 'video/mp4' }),
 *   } });
 *   fetch(server.url('/big.mp4')); … server.stats.bodyBytesSent …; await server.close();
 */

/** What one request gets. Plain data so tests read like a script; `handler` is the escape hatch. */
export type Fault =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'body'; status: number; body: string | Buffer; headers?: Record<string, string> }
  /** Headers (status, optional promised length) and `prefix`, then the socket is destroyed. */
  | { kind: 'reset'; status: number; headers?: Record<string, string>; prefix: string | Buffer; declaredLength?: number }
  /** The socket is destroyed as soon as the request arrives: no status line at all. */
  | { kind: 'reset-before-headers' }
  /** `text/event-stream` with these `data:` payloads, then the stream ends (cleanly or by reset) with no terminator. */
  | { kind: 'truncated-sse'; events: string[]; end: 'clean' | 'reset'; eventName?: string }
  /** A chunked JSON body cut after `cutAt` characters, ending cleanly or by reset. */
  | { kind: 'truncated-json'; status: number; body: string; cutAt: number; end: 'clean' | 'reset' }
  /** `body` sent `bytesPerTick` bytes every `intervalMs`. */
  | { kind: 'trickle'; status: number; body: string | Buffer; intervalMs: number; bytesPerTick: number; headers?: Record<string, string>; declareLength: boolean }
  /** `bytes` of filler, generated lazily and sent with backpressure (never buffered whole). */
  | { kind: 'huge'; status: number; bytes: number; contentType: string; declareLength: boolean; chunkBytes: number }
  /** Accepts the request (reads its body) and never answers, until the client gives up or `close()`. */
  | { kind: 'hang' }
  | { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308; location: string }
  | { kind: 'handler'; handle: (req: FaultRequest, res: ServerResponse) => void | Promise<void> };

/** Constructors for the faults above, with sensible defaults. */
export const faults = {
  json: (body: unknown, status = 200, headers: Record<string, string> = {}): Fault => ({ kind: 'json', status, body, headers }),
  body: (body: string | Buffer, status = 200, headers: Record<string, string> = {}): Fault => ({ kind: 'body', status, body, headers }),
  /** An error status; `retryAfter` in seconds (number) or as an HTTP-date (string). */
  status: (status: number, options: { retryAfter?: number | string; body?: unknown } = {}): Fault => ({
    kind: 'json',
    status,
    body: options.body ?? { error: { message: `fault server: ${status}`, type: status === 429 ? 'rate_limit_error' : 'server_error', code: null } },
    headers: options.retryAfter === undefined ? {} : { 'retry-after': String(options.retryAfter) },
  }),
  reset: (prefix: string | Buffer = '', options: { status?: number; headers?: Record<string, string>; declaredLength?: number } = {}): Fault => ({
    kind: 'reset',
    status: options.status ?? 200,
    prefix,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.declaredLength !== undefined ? { declaredLength: options.declaredLength } : {}),
  }),
  resetBeforeHeaders: (): Fault => ({ kind: 'reset-before-headers' }),
  truncatedSse: (events: string[], end: 'clean' | 'reset' = 'clean'): Fault => ({ kind: 'truncated-sse', events, end }),
  truncatedJson: (body: unknown, cutAt: number, end: 'clean' | 'reset' = 'clean', status = 200): Fault => ({
    kind: 'truncated-json',
    status,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    cutAt,
    end,
  }),
  trickle: (body: string | Buffer, options: { intervalMs?: number; bytesPerTick?: number; status?: number; headers?: Record<string, string>; declareLength?: boolean } = {}): Fault => ({
    kind: 'trickle',
    status: options.status ?? 200,
    body,
    intervalMs: options.intervalMs ?? 100,
    bytesPerTick: options.bytesPerTick ?? 1,
    headers: options.headers ?? {},
    declareLength: options.declareLength ?? true,
  }),
  huge: (bytes: number, options: { contentType?: string; declareLength?: boolean; chunkBytes?: number; status?: number } = {}): Fault => ({
    kind: 'huge',
    status: options.status ?? 200,
    bytes,
    contentType: options.contentType ?? 'application/octet-stream',
    declareLength: options.declareLength ?? false,
    chunkBytes: options.chunkBytes ?? 64 * 1024,
  }),
  hang: (): Fault => ({ kind: 'hang' }),
  redirect: (location: string, status: 301 | 302 | 303 | 307 | 308 = 302): Fault => ({ kind: 'redirect', status, location }),
  handler: (handle: (req: FaultRequest, res: ServerResponse) => void | Promise<void>): Fault => ({ kind: 'handler', handle }),
};

/** Addresses a redirect (or a URL) may point at that a server-side fetcher must refuse. */
export function privateAddressUrls(port: number, path = '/'): string[] {
  return [
    `http://127.0.0.1:${port}${path}`,
    `http://localhost:${port}${path}`,
    `http://[::1]:${port}${path}`,
    `http://[::ffff:127.0.0.1]:${port}${path}`,
    `http://[::ffff:7f00:1]:${port}${path}`,
    `http://0.0.0.0:${port}${path}`,
    `http://[::]:${port}${path}`,
    `http://169.254.169.254/latest/meta-data/`,
    `http://[::ffff:169.254.169.254]/latest/meta-data/`,
    `http://10.0.0.1${path}`,
    `http://172.16.0.1${path}`,
    `http://192.168.0.1${path}`,
    `http://100.64.0.1${path}`,
    `http://[fd00::1]${path}`,
    `http://[fe80::1]${path}`,
    `http://[64:ff9b::7f00:1]:${port}${path}`,
    `http://2130706433:${port}${path}`,
  ];
}

/** One request as the fault server saw it. */
export interface FaultRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** `performance.now()` when the request's headers arrived. */
  at: number;
  /** Which route key answered it (`'*'` for the fallback). */
  route: string;
  /** 0-based index of this request among those to the same route. */
  index: number;
}

export type FaultPlan = Fault | readonly Fault[] | ((req: FaultRequest) => Fault);

export interface FaultServerOptions {
  /** `'METHOD /path'` or `'/path'` (any method) → what to answer; a list plays in order, its last entry repeating. */
  routes: Record<string, FaultPlan>;
  /** For requests no route matches; default 404 JSON. */
  fallback?: FaultPlan;
}

export interface FaultServerStats {
  /** Body bytes written to all responses so far (headers excluded). */
  bodyBytesSent: number;
  /** Responses the client abandoned (socket closed) before they were complete. */
  closedByClient: number;
  /** Requests currently held open by `hang`, `trickle` or `huge`. */
  inFlight: number;
}

export interface FaultServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  url(path: string): string;
  requests: FaultRequest[];
  /** Requests to one route key since its plan was last set, in order. */
  requestsTo(route: string): FaultRequest[];
  stats: FaultServerStats;
  /** Replaces (or adds) a route's plan; its request count restarts at 0. */
  setRoute(route: string, plan: FaultPlan): void;
  /** Destroys every connection, hanging ones included, and stops listening. */
  close(): Promise<void>;
}

export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const routes = new Map<string, FaultPlan>(Object.entries(options.routes));
  const counts = new Map<string, number>();
  /** Index into `requests` where each route's current plan began. */
  const since = new Map<string, number>();
  const requests: FaultRequest[] = [];
  const stats: FaultServerStats = { bodyBytesSent: 0, closedByClient: 0, inFlight: 0 };
  const sockets = new Set<Socket>();

  const pick = (method: string, path: string): { route: string; plan: FaultPlan } => {
    for (const key of [`${method} ${path}`, path]) {
      const plan = routes.get(key);
      if (plan !== undefined) return { route: key, plan };
    }
    return { route: '*', plan: options.fallback ?? faults.json({ error: { message: `fault server: no route for ${method} ${path}` } }, 404) };
  };

  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      const url = req.url ?? '/';
      const path = new URL(url, 'http://127.0.0.1').pathname;
      const method = req.method ?? 'GET';
      const { route, plan } = pick(method, path);
      const index = counts.get(route) ?? 0;
      counts.set(route, index + 1);
      const recorded: FaultRequest = { method, url, path, headers: req.headers, body: Buffer.concat(chunks), at, route, index };
      requests.push(recorded);
      const fault = typeof plan === 'function' ? plan(recorded) : Array.isArray(plan) ? plan[Math.min(index, plan.length - 1)] : (plan as Fault);
      res.on('close', () => {
        if (!res.writableFinished) stats.closedByClient++;
      });
      void answer(fault as Fault, recorded, res, stats).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that resets mid-request must not take the server down.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    url: (path) => `${origin}${path.startsWith('/') ? path : `/${path}`}`,
    requests,
    requestsTo: (route) => requests.slice(since.get(route) ?? 0).filter((r) => r.route === route),
    stats,
    setRoute(route, plan) {
      routes.set(route, plan);
      counts.delete(route);
      since.set(route, requests.length);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Writes with backpressure; resolves false once the client has gone. */
function write(res: ServerResponse, chunk: Buffer, stats: FaultServerStats): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  stats.bodyBytesSent += chunk.byteLength;
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Resolves when the client closes the connection (or the server destroys it). */
const closed = (res: ServerResponse) => new Promise<void>((resolve) => (res.destroyed ? resolve() : res.once('close', () => resolve())));

async function answer(fault: Fault, req: FaultRequest, res: ServerResponse, stats: FaultServerStats): Promise<void> {
  switch (fault.kind) {
    case 'json': {
      const body = Buffer.from(JSON.stringify(fault.body));
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': body.byteLength, ...fault.headers });
      stats.bodyBytesSent += body.byteLength;
      res.end(body);
      return;
    }
    case 'body': {
      const body = Buffer.from(fault.body);
      res.writeHead(fault.status, { 'content-length': body.byteLength, ...fault.headers });
      stats.bodyBytesSent += body.byteLength;
      res.end(body);
      return;
    }
    case 'reset': {
      const prefix = Buffer.from(fault.prefix);
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        ...(fault.declaredLength !== undefined ? { 'content-length': fault.declaredLength } : {}),
        ...fault.headers,
      });
      res.flushHeaders();
      if (prefix.byteLength > 0) await write(res, prefix, stats);
      // Let the bytes leave before the reset, so the client sees a body that stops, not nothing.
      await wait(20);
      res.socket?.resetAndDestroy();
      return;
    }
    case 'reset-before-headers':
      // The request was read; the answer is a dropped connection (TCP RST).
      res.socket?.resetAndDestroy();
      return;
    case 'truncated-sse': {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      for (const data of fault.events) {
        const frame = `${fault.eventName ? `event: ${fault.eventName}\n` : ''}data: ${data}\n\n`;
        if (!(await write(res, Buffer.from(frame), stats))) return;
      }
      await wait(20);
      if (fault.end === 'reset') res.socket?.resetAndDestroy();
      else res.end();
      return;
    }
    case 'truncated-json': {
      res.writeHead(fault.status, { 'content-type': 'application/json' }); // chunked: no length
      res.flushHeaders();
      await write(res, Buffer.from(fault.body.slice(0, fault.cutAt)), stats);
      await wait(20);
      if (fault.end === 'reset') res.socket?.resetAndDestroy();
      else res.end();
      return;
    }
    case 'trickle': {
      const body = Buffer.from(fault.body);
      res.writeHead(fault.status, { ...(fault.declareLength ? { 'content-length': body.byteLength } : {}), ...fault.headers });
      res.flushHeaders();
      stats.inFlight++;
      try {
        for (let sent = 0; sent < body.byteLength; sent += fault.bytesPerTick) {
          if (!(await write(res, body.subarray(sent, sent + fault.bytesPerTick), stats))) return;
          if (sent + fault.bytesPerTick < body.byteLength) await Promise.race([wait(fault.intervalMs), closed(res)]);
        }
        res.end();
      } finally {
        stats.inFlight--;
      }
      return;
    }
    case 'huge': {
      res.writeHead(fault.status, { 'content-type': fault.contentType, ...(fault.declareLength ? { 'content-length': fault.bytes } : {}) });
      res.flushHeaders();
      // One filler chunk reused: memory stays at one chunk however many GB are promised.
      const filler = Buffer.alloc(fault.chunkBytes, 0x41);
      stats.inFlight++;
      try {
        for (let sent = 0; sent < fault.bytes; sent += filler.byteLength) {
          const chunk = fault.bytes - sent < filler.byteLength ? filler.subarray(0, fault.bytes - sent) : filler;
          if (!(await write(res, chunk, stats))) return;
        }
        res.end();
      } finally {
        stats.inFlight--;
      }
      return;
    }
    case 'hang':
      stats.inFlight++;
      await closed(res);
      stats.inFlight--;
      return;
    case 'redirect':
      res.writeHead(fault.status, { location: fault.location, 'content-length': 0 });
      res.end();
      return;
    case 'handler':
      await fault.handle(req, res);
      return;
  }
}
