import { homedir, tmpdir } from 'node:os';

/** What a server path becomes in text a tenant reads. */
export const REDACTED_PATH = '[server path]';

/** Routes of this API: public knowledge, kept in messages such as "No route GET /api/x". */
const API_ROUTE = /^\/(?:api|v1)(?:\/|$)/;

/** `file:` URLs, whole. */
const FILE_URL = /\bfile:\/{0,3}[^\s'"`<>()[\]{},;|]*/gi;
/** A Windows drive path (C:\x or C:/x). */
const DRIVE_PATH = /(?<![\w])[A-Za-z]:[\\/][^\s'"`<>()[\]{},;|]*/g;
/**
 * An absolute POSIX path: a "/" not inside a word, number, URL or relative path, followed by
 * a name. "http://host/x", "a/b", "1/2" and "audio/wav" are not paths.
 */
const POSIX_PATH = /(?<![\w.~/\\-])\/(?![/\s])[^\s'"`<>()[\]{},;|]+/g;
/** A stack frame line ("    at fn (/srv/app/x.ts:1:2)"). */
const STACK_FRAME = /^[ \t]+at [^\n]*:\d+:\d+\)?[ \t]*(?:\n|$)/gm;

/**
 * Removes the server's file paths (home, temp, working folder, any absolute path, file:
 * URLs) and stack frames from text a keyed caller reads. The store keeps the full text; the
 * keyless local user (and the CLI) see it unredacted.
 */
export function redactServerPaths(text: string): string {
  let out = text.replace(STACK_FRAME, '');
  // The server's own folders first, so one whose name has a space ("/Users/A B") goes whole.
  for (const root of serverRoots()) out = out.replace(root, REDACTED_PATH);
  out = out.replace(FILE_URL, REDACTED_PATH).replace(DRIVE_PATH, REDACTED_PATH);
  out = out.replace(POSIX_PATH, (path) => (API_ROUTE.test(path) ? path : REDACTED_PATH));
  // What followed a replaced folder ("[server path]/x/y") is part of the same path.
  return out.replace(/\[server path\](?:\/[^\s'"`<>()[\]{},;|]*|\[server path\])+/g, REDACTED_PATH);
}

/** Redacts every string inside a value (an error's message, hint and details), keeping its shape. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactServerPaths(value) as T;
  // Error details are shallow; a bound keeps a hostile value from recursing far.
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) return null as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)])) as T;
}

let roots: RegExp[] | undefined;

/** Home, temp and working folder (longest first), each matched only as a whole folder name. */
function serverRoots(): RegExp[] {
  roots ??= [...new Set([homedir(), tmpdir(), process.cwd(), process.env.SHENBI_HOME ?? ''])]
    .filter((root) => root.length > 1)
    .sort((a, b) => b.length - a.length)
    .map((root) => new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![^/\\s'"\`])`, 'g'));
  return roots;
}
