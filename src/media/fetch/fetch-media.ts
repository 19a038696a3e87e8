import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import { makeWorkDir, removeWorkDir } from '../../fs/work-dir.ts';
import { addressAllowed } from './address-policy.ts';
import { FetchDeadlines } from './fetch-deadlines.ts';
import { guardedLookup, privateAddressRefused, systemResolver, type HostResolver } from './guarded-lookup.ts';
import { DEFAULT_MEDIA_FETCH, type FetchedMediaKind, type MediaFetchSettings } from './media-fetch-settings.ts';
import { bareHost, openResponse } from './open-response.ts';

/** Temp folders of fetches in flight given a `tempDir` start with this; each is removed when its fetch ends. */
export const MEDIA_FETCH_TEMP_PREFIX = 'shenbi-fetch-';
const MAX_REDIRECTS = 5;

export interface FetchMediaOptions {
  /** Picks the byte limit. */
  kind: FetchedMediaKind;
  /** Default DEFAULT_MEDIA_FETCH (public addresses only). */
  settings?: MediaFetchSettings;
  /** Aborts the fetch (a cancelled job); its reason is what the fetch rejects with. */
  signal?: AbortSignal;
  /** Name resolution; tests inject one. Default: the system resolver. */
  resolveHost?: HostResolver;
  /**
   * Where the temp folder goes; default a work folder (src/fs/work-dir.ts), so a fetch cut
   * short by a crash is swept by `shenbi jobs recover` and `shenbi gc`.
   */
  tempDir?: string;
}

export interface FetchedMediaFile {
  /** The body, complete and within the limit. */
  path: string;
  size: number;
  contentType: string | null;
  /** Where it came from after redirects. */
  url: string;
  /** Deletes the file and its temp folder. */
  remove(): Promise<void>;
}

/**
 * Fetches a media URL a user gave into a temp file, never into memory:
 * - only http(s); every hop (up to 5 redirects, followed by hand) connects only to addresses
 *   checked to be public — the check happens in the socket's own lookup, so the address
 *   connected to is the one checked (no DNS rebinding) — unless allowPrivateNetworks;
 * - at most the kind's byte limit: refused on a larger Content-Length before the body is
 *   read, cut off while streaming otherwise (PAYLOAD_TOO_LARGE);
 * - connect, idle and total deadlines (ENGINE_TIMEOUT, not retried), and the caller's signal.
 * On any failure the temp folder is gone before the promise rejects.
 */
export async function fetchMediaToFile(url: string, options: FetchMediaOptions): Promise<FetchedMediaFile> {
  const settings = options.settings ?? DEFAULT_MEDIA_FETCH;
  const limit = settings.maxBytes[options.kind];
  const lookup = guardedLookup(options.resolveHost ?? systemResolver, settings);
  let current = mediaUrl(url);
  const deadlines = new FetchDeadlines(settings, options.signal);
  let dir: string | undefined;
  try {
    dir = options.tempDir === undefined ? await makeWorkDir('media-fetch') : await mkdtemp(join(options.tempDir, MEDIA_FETCH_TEMP_PREFIX));
    for (let hop = 0; ; hop++) {
      deadlines.target = shown(current);
      const host = bareHost(current);
      // node:net connects to an IP literal without any lookup: check it here.
      if (isIP(host) !== 0 && !addressAllowed(host, settings.allowPrivateNetworks)) throw privateAddressRefused(current.host);
      const response = await openResponse(current, lookup, deadlines);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.destroy();
        if (hop >= MAX_REDIRECTS) throw new ShenbiError('MEDIA_INVALID', `${shown(current)} redirected more than ${MAX_REDIRECTS} times.`);
        current = mediaUrl(location, current);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        throw new ShenbiError('MEDIA_INVALID', `${shown(current)} answered HTTP ${status}.`, { details: { status } });
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) {
        response.destroy();
        throw tooLarge(current, options.kind, limit);
      }
      const path = join(dir, 'body');
      let size = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.byteLength;
          if (size > limit) return callback(tooLarge(current, options.kind, limit));
          deadlines.touch();
          callback(null, chunk);
        },
      });
      await pipeline(response, count, createWriteStream(path, { flags: 'wx', mode: 0o600 }), { signal: deadlines.signal });
      const folder = dir;
      return { path, size, contentType: response.headers['content-type'] ?? null, url: current.href, remove: () => removeWorkDir(folder) };
    }
  } catch (error) {
    if (dir !== undefined) await removeWorkDir(dir);
    throw fetchFailure(deadlines.failure(error), current);
  } finally {
    deadlines.finish();
  }
}

/** The body of a media URL as bytes: fetched to a temp file under the limit, read once, removed. */
export async function fetchMediaBytes(url: string, options: FetchMediaOptions): Promise<Buffer> {
  const file = await fetchMediaToFile(url, options);
  try {
    return await readFile(file.path);
  } finally {
    await file.remove();
  }
}

/** An http(s) URL (relative to `base` for redirects); any other scheme is PATH_NOT_ALLOWED. */
function mediaUrl(href: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', 'Not a valid media URL.', { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ShenbiError('PATH_NOT_ALLOWED', `Only http(s) media URLs are accepted, not ${url.protocol}`, { details: { protocol: url.protocol } });
  }
  return url;
}

/** A URL fit for messages: scheme, host and path, without credentials or query. */
function shown(url: URL): string {
  const text = `${url.protocol}//${url.host}${url.pathname}`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function tooLarge(url: URL, kind: FetchedMediaKind, limit: number): ShenbiError {
  const mib = Math.round((limit / 1024 / 1024) * 10) / 10;
  return new ShenbiError('PAYLOAD_TOO_LARGE', `${shown(url)} is larger than the ${mib} MiB limit for ${kind}.`, {
    hint: `Raise media.fetch.maxMb.${kind} in config.json to accept larger files.`,
    details: { kind, limitBytes: limit },
  });
}

/** Typed errors pass; network failures become MEDIA_INVALID naming the error code, not a resolved address. */
function fetchFailure(error: unknown, url: URL): unknown {
  if (error instanceof ShenbiError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EFBIG') return toShenbiError(error);
  if ((error as Error | undefined)?.name === 'AbortError') return error;
  return new ShenbiError('MEDIA_INVALID', `Fetching ${shown(url)} failed (${errno ?? (error as Error | undefined)?.message ?? 'network error'}).`, { cause: error });
}
