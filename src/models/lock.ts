import { hostname } from 'node:os';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../fs/process-alive.ts';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** A lock file whose owner left no readable content for this long is treated as stale. */
const UNREADABLE_LOCK_STALE_MS = 10_000;

/**
 * An exclusive lock file created with O_EXCL. Waits while a live process holds it; takes
 * it over when the owner on this host is gone (a pull killed with `kill -9` leaves one).
 * Returns the release function.
 */
export async function acquireFileLock(
  path: string,
  options: { signal?: AbortSignal; pollMs?: number } = {},
): Promise<() => Promise<void>> {
  const pollMs = options.pollMs ?? 200;
  for (;;) {
    const release = await tryAcquireFileLock(path);
    if (release !== undefined) return release;
    await sleep(pollMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
  }
}

/** Takes the lock if it is free or stale; undefined while a live process holds it. */
export async function tryAcquireFileLock(path: string, signal?: AbortSignal): Promise<(() => Promise<void>) | undefined> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      const handle = await open(path, 'wx');
      try {
        const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const staleText = await staleLockText(path);
    if (staleText !== undefined) {
      // Only remove the very lock judged stale: another waiter may have replaced it by now.
      // (A tiny window remains between this read and rm; stale locks only follow crashes.)
      const again = await readFile(path, 'utf8').catch(() => undefined);
      if (again === staleText) await rm(path, { force: true });
      continue;
    }
    return undefined;
  }
}

/** The lock file's text when its owner is gone, else undefined. */
async function staleLockText(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined; // released meanwhile: the next O_EXCL attempt decides
  }
  const owner = parseOwner(text);
  if (owner === undefined) {
    // An owner that died between create and write leaves an empty file.
    const info = await stat(path).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_LOCK_STALE_MS ? text : undefined;
  }
  if (owner.host !== hostname()) return undefined; // cannot see another machine's processes
  return isProcessAlive(owner.pid) ? undefined : text;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host, since } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof since !== 'string') return undefined;
    return { pid, host, since };
  } catch {
    return undefined;
  }
}
