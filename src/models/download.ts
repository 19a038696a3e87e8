import { createHash, type Hash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShenbiError, isShenbiError, toShenbiError } from '../core/errors.ts';
import { hashFileInto } from './hash.ts';
import { ifRangeValue, readPartialMeta, writePartialMeta } from './partial-meta.ts';
import type { ByteMeter } from './progress.ts';

export interface DownloadOptions {
  url: string;
  /** The partial file (`.partial/<name>.part`) and its JSON sidecar. */
  dataPath: string;
  metaPath: string;
  expectedSize?: number;
  expectedSha256?: string;
  signal?: AbortSignal;
  meter?: ByteMeter;
  /** Consecutive failed attempts (drops, stalls, 5xx) before giving up. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per consecutive failure, capped at 10 s. Default 500 ms. */
  retryDelayMs?: number;
  /** A response that sends nothing for this long counts as a dropped connection. Default 30 s. */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  size: number;
  sha256: string;
  /** Bytes that were already on disk from an earlier attempt. */
  resumedFromBytes: number;
  /** HTTP requests made. */
  requests: number;
}

/** How many times a download may start over from byte 0 (Range ignored, file changed). */
const MAX_RESTARTS = 3;
const MAX_RETRY_DELAY_MS = 10_000;

/** Marks an attempt ended by the idle timer, so it is retried like a dropped connection. */
class StalledError extends Error {
  override readonly name = 'StalledError';
}

/**
 * Downloads `url` into `dataPath`, resuming from whatever an earlier attempt left there.
 * On resume the bytes already on disk are hashed and the rest is requested with
 * `Range: bytes=N-` (plus `If-Range`); a server that answers 200 instead of 206 gets a
 * clean restart. Dropped connections and 5xx answers are retried with backoff from where
 * the data stopped; when attempts run out, the partial stays for the next pull. Returns
 * the size and sha256 of the complete file; checking them is the caller's job.
 */
export async function downloadResumable(options: DownloadOptions): Promise<DownloadResult> {
  const { url, dataPath, metaPath, signal, meter } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const expectedSize = options.expectedSize ?? null;
  const expectedSha256 = options.expectedSha256 ?? null;

  // Resume only bytes that belong to this exact URL and expectation.
  const meta = await readPartialMeta(metaPath);
  const sameTarget =
    meta !== undefined && meta.url === url && meta.expectedSize === expectedSize && meta.expectedSha256 === expectedSha256;
  let validators = sameTarget ? { etag: meta.etag, lastModified: meta.lastModified } : { etag: null, lastModified: null };
  let total: number | null = expectedSize ?? (sameTarget ? meta.totalBytes : null);
  let hash: Hash = createHash('sha256');
  let offset = 0;
  if (sameTarget) {
    const existing = await stat(dataPath).catch(() => undefined);
    if (existing?.isFile() === true && existing.size > 0 && (expectedSize === null || existing.size <= expectedSize)) {
      offset = await storageStep(() => hashFileInto(hash, dataPath, signal), signal);
    }
  }
  if (offset === 0) await storageStep(() => truncate(dataPath), signal);
  const saveMeta = () => writePartialMeta(metaPath, { url, expectedSize, expectedSha256, ...validators, totalBytes: total });
  await storageStep(saveMeta, signal);

  const resumedFromBytes = offset;
  meter?.start(offset, total);
  let requests = 0;
  let failures = 0;
  let restarts = 0;

  const restartFromZero = async (why: string) => {
    if (++restarts > MAX_RESTARTS) {
      throw new ShenbiError('MODEL_DOWNLOAD_FAILED', `Download of ${url} kept restarting from zero (${why}).`, {
        details: { url, reason: why },
      });
    }
    hash = createHash('sha256');
    offset = 0;
    validators = { etag: null, lastModified: null };
    await truncate(dataPath);
    meter?.start(0, total);
  };

  for (;;) {
    if (total !== null && offset === total && offset > 0) break; // everything is already here
    signal?.throwIfAborted();
    const attempt = new AbortController();
    const attemptSignal = signal === undefined ? attempt.signal : AbortSignal.any([signal, attempt.signal]);
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdleTimer = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => attempt.abort(new StalledError(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    };
    let progressed = false;
    try {
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      if (offset > 0) {
        headers.range = `bytes=${offset}-`;
        const ifRange = ifRangeValue(validators);
        if (ifRange !== undefined) headers['if-range'] = ifRange;
      }
      armIdleTimer();
      requests++;
      const response = await fetch(url, { headers, signal: attemptSignal, redirect: 'follow' });

      if (response.status === 416) {
        await response.body?.cancel();
        const rangeTotal = parseContentRange(response.headers.get('content-range'))?.total ?? null;
        if (offset > 0 && rangeTotal === offset) {
          total = rangeTotal; // we already had every byte
          break;
        }
        await restartFromZero('the server refused the resume range');
        continue;
      }
      if (response.status !== 200 && response.status !== 206) {
        await response.body?.cancel();
        const error = httpStatusError(url, response.status, response.statusText);
        if (!error.retryable || ++failures >= maxAttempts) throw error;
        await backoff(failures, retryDelayMs, signal);
        continue;
      }
      if (response.status === 206) {
        const range = parseContentRange(response.headers.get('content-range'));
        if (range === undefined || range.start !== offset) {
          await response.body?.cancel();
          await restartFromZero('the server answered a different range');
          continue;
        }
        if (range.total !== null) total = range.total;
      } else {
        // 200: the whole file. Either a fresh start, or the server ignored Range / If-Range
        // said the file changed; either way the bytes on disk are not a prefix of this body.
        if (offset > 0) await restartFromZero('the server ignored the Range request');
        const length = Number(response.headers.get('content-length') ?? Number.NaN);
        if (Number.isSafeInteger(length) && length >= 0) total = length;
      }
      if (expectedSize !== null && total !== null && total !== expectedSize) {
        await response.body?.cancel();
        throw sizeMismatch(url, expectedSize, total);
      }
      validators = { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
      await saveMeta();
      meter?.setTotal(total);
      if (response.body === null) throw new Error('the response has no body');

      const handle = await open(dataPath, 'r+');
      try {
        for await (const chunk of response.body) {
          armIdleTimer();
          await handle.write(chunk, 0, chunk.byteLength, offset);
          hash.update(chunk);
          offset += chunk.byteLength;
          progressed = true;
          if (expectedSize !== null && offset > expectedSize) throw sizeMismatch(url, expectedSize, offset);
          meter?.update(offset);
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (total !== null && offset < total) throw new Error(`the connection closed after ${offset} of ${total} bytes`);
      total ??= offset;
      break;
    } catch (error) {
      if (signal?.aborted === true) throw cancelled(url, offset, signal.reason);
      if (isShenbiError(error)) throw error;
      if (isStorageError(error)) throw storageFailure(error);
      // A dropped connection, a stall or a refused connect: retry from where we are. A name
      // that does not resolve (offline, blocked) will not resolve a second later: say so now.
      if (progressed) failures = 0;
      const code = networkErrorCode(error);
      if (++failures >= maxAttempts || code === 'ENOTFOUND') {
        throw new ShenbiError(
          'MODEL_DOWNLOAD_FAILED',
          `Download of ${url} failed after ${failures} ${failures === 1 ? 'attempt' : 'attempts'}: ${describeNetworkError(error, url)}. ` +
            (offset > 0 ? `${offset} bytes are kept; running the same pull again resumes from there.` : 'Nothing was received.'),
          { cause: error, details: { url, receivedBytes: offset, attempts: failures, ...(code === undefined ? {} : { networkError: code }) } },
        );
      }
      await backoff(failures, retryDelayMs, signal);
    } finally {
      clearTimeout(idleTimer);
    }
  }
  meter?.update(offset);
  meter?.finish();
  return { size: offset, sha256: hash.digest('hex'), resumedFromBytes, requests };
}

/** Parses `bytes START-END/TOTAL`, or the `bytes *\/TOTAL` of a 416. */
export function parseContentRange(header: string | null): { start: number | null; total: number | null } | undefined {
  if (header === null) return undefined;
  const match = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim());
  if (match === null) return undefined;
  return {
    start: match[1] === undefined ? null : Number(match[1]),
    total: match[3] === undefined || match[3] === '*' ? null : Number(match[3]),
  };
}

async function truncate(path: string): Promise<void> {
  // Open-for-write truncates in place (rather than unlink + create), keeping the path's inode.
  const handle = await open(path, 'w');
  await handle.close();
}

function httpStatusError(url: string, status: number, statusText: string): ShenbiError {
  const retryable = status === 408 || status === 429 || status >= 500;
  const hint =
    status === 401 || status === 403
      ? 'The server refused access: the model may be gated or the mirror may not carry it.'
      : status === 404
        ? 'Check the URL (and the model endpoint / HF_ENDPOINT mirror, if one is set).'
        : undefined;
  return new ShenbiError('MODEL_DOWNLOAD_FAILED', `Download of ${url} failed: HTTP ${status}${statusText ? ` ${statusText}` : ''}.`, {
    details: { url, status },
    retryable,
    ...(hint === undefined ? {} : { hint }),
  });
}

function sizeMismatch(url: string, expectedSize: number, actualSize: number): ShenbiError {
  return new ShenbiError(
    'MODEL_CHECKSUM_MISMATCH',
    `${url} is ${actualSize} bytes, but ${expectedSize} were expected; nothing was installed.`,
    { details: { url, expectedSize, actualSize } },
  );
}

function cancelled(url: string, receivedBytes: number, reason: unknown): ShenbiError {
  return new ShenbiError('JOB_CANCELLED', `The download of ${url} was cancelled; ${receivedBytes} bytes are kept for the next pull to resume.`, {
    cause: reason,
    details: { url, receivedBytes },
  });
}

/** Errors from our own file I/O carry a syscall; network errors from fetch do not. */
function isStorageError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

function storageFailure(error: NodeJS.ErrnoException): ShenbiError {
  const typed = toShenbiError(error, 'STORAGE_ERROR');
  return typed.code === 'DISK_FULL'
    ? new ShenbiError('DISK_FULL', `${typed.message} The partial download is kept; free some space and pull again to resume.`, {
        cause: error,
        ...(typed.hint === undefined ? {} : { hint: typed.hint }),
      })
    : typed;
}

/** Runs a file step before the transfer, turning abort and fs errors into typed ones. */
async function storageStep<T>(step: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (signal?.aborted === true) throw new ShenbiError('JOB_CANCELLED', 'The pull was cancelled.', { cause: error });
    if (isStorageError(error)) throw storageFailure(error);
    throw error;
  }
}

/** The system error code under fetch's "fetch failed" (ENOTFOUND, ECONNREFUSED, …), if any. */
function networkErrorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Says what failed in words (the raw text names only a syscall), keeping the system code. */
function describeNetworkError(error: unknown, url: string): string {
  if (!(error instanceof Error)) return String(error);
  const code = networkErrorCode(error);
  const host = URL.canParse(url) ? new URL(url).host : url;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${host}: no network, or its name is blocked (${code})`;
    case 'ECONNREFUSED':
      return `${host} refused the connection (${code})`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the connection to ${host} was cut: a firewall or proxy may block it (${code})`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${host} timed out (${code})`;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `${host} is unreachable: no route to it (${code})`;
    default: {
      const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return `${error.message}${cause}`;
    }
  }
}

async function backoff(failures: number, baseMs: number, signal: AbortSignal | undefined): Promise<void> {
  const delay = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** (failures - 1));
  try {
    await sleep(delay, undefined, signal === undefined ? {} : { signal });
  } catch (error) {
    throw new ShenbiError('JOB_CANCELLED', 'The pull was cancelled.', { cause: error });
  }
}
