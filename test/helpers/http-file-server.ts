import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  /** The status the server answered with (0 when it cut the connection before headers). */
  status: number;
}

/** How to misbehave for one request; the default is a correct HTTP/1.1 file server. */
export interface Behavior {
  /** Answer this status with an empty body instead of the file. */
  status?: number;
  /** Send 200 with the whole file even when a Range was asked for. */
  ignoreRange?: boolean;
  /** Destroy the socket after this many body bytes (headers promise the full length). */
  cutAfterBytes?: number;
  /** Send this many body bytes, then hold the connection open without sending more. */
  stallAfterBytes?: number;
  /** Pause between body chunks (ms), so a transfer can be caught mid-way. */
  chunkDelayMs?: number;
}

export type Planner = (request: { path: string; range: string | undefined; index: number }) => Behavior;

export interface TestFileServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: RecordedRequest[];
  /** Sets how the following requests are answered (by request index, counted from 0). */
  plan(planner: Planner): void;
  close(): Promise<void>;
}

const CHUNK = 16 * 1024;

/**
 * A real HTTP server on 127.0.0.1 serving files (path → file) with Range, ETag and
 * If-Range support, plus scripted faults: cut connections, ignored Range, error statuses.
 */
export async function startFileServer(routes: Record<string, string>): Promise<TestFileServer> {
  const files = new Map<string, { bytes: Buffer; etag: string; lastModified: string }>();
  for (const [path, file] of Object.entries(routes)) {
    const info = statSync(file);
    files.set(path, {
      bytes: readFileSync(file),
      etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
      lastModified: info.mtime.toUTCString(),
    });
  }
  const requests: RecordedRequest[] = [];
  let planner: Planner = () => ({});

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const range = req.headers.range;
    const ifRange = typeof req.headers['if-range'] === 'string' ? req.headers['if-range'] : undefined;
    const record: RecordedRequest = { path, range, ifRange, status: 0 };
    requests.push(record);
    const behavior = planner({ path, range, index: requests.length - 1 });
    const file = files.get(path);

    const answer = (status: number, headers: Record<string, string | number> = {}) => {
      record.status = status;
      res.writeHead(status, headers);
    };
    if (behavior.status !== undefined) {
      answer(behavior.status, { 'content-length': 0 });
      res.end();
      return;
    }
    if (file === undefined) {
      answer(404, { 'content-length': 0 });
      res.end();
      return;
    }

    const size = file.bytes.byteLength;
    const common = { etag: file.etag, 'last-modified': file.lastModified, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    let start = 0;
    let partial = false;
    const match = range === undefined ? null : /^bytes=(\d+)-$/.exec(range);
    const validatorOk = ifRange === undefined || ifRange === file.etag || ifRange === file.lastModified;
    if (match !== null && match[1] !== undefined && !behavior.ignoreRange && validatorOk) {
      start = Number(match[1]);
      if (start >= size) {
        answer(416, { ...common, 'content-range': `bytes */${size}`, 'content-length': 0 });
        res.end();
        return;
      }
      partial = true;
    }
    const body = file.bytes.subarray(start);
    answer(partial ? 206 : 200, {
      ...common,
      'content-length': body.byteLength,
      ...(partial ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    void sendBody(res, body, behavior);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    plan(next: Planner) {
      planner = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function sendBody(res: ServerResponse, body: Buffer, behavior: Behavior): Promise<void> {
  const limit = behavior.cutAfterBytes ?? behavior.stallAfterBytes ?? body.byteLength;
  // A write callback may never come once the client has gone; 'close' ends the wait too.
  const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  let sent = 0;
  while (sent < Math.min(limit, body.byteLength)) {
    if (res.destroyed) return;
    const end = Math.min(sent + CHUNK, limit, body.byteLength);
    await Promise.race([new Promise<void>((resolve) => res.write(body.subarray(sent, end), () => resolve())), closed]);
    sent = end;
    if (behavior.chunkDelayMs !== undefined) await new Promise((r) => setTimeout(r, behavior.chunkDelayMs));
  }
  if (behavior.cutAfterBytes !== undefined) {
    res.socket?.destroy();
    return;
  }
  if (behavior.stallAfterBytes !== undefined) return; // hold open until the client gives up or close()
  res.end();
}
