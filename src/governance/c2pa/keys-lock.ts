/**
 * A cross-process lock beside the keys folder (`.keys.lock` in its parent), held while a key
 * set is created, repaired or replaced. It records its holder's pid and host, so a holder
 * killed mid-way (kill -9) is recognised at once on this machine instead of after a timeout.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { isProcessAlive } from '../../fs/process-alive.ts';

const LOCK_WAIT_MS = 30_000;
/** Any lock this old is abandoned (creating keys takes milliseconds), e.g. one held from another host. */
const LOCK_STALE_MS = 60_000;
/** A lock file without its holder yet: its creator died between creating and writing it, or is writing now. */
const EMPTY_LOCK_GRACE_MS = 2_000;
const POLL_MS = 20;

interface Holder {
  pid: number;
  host: string;
}

export function keysLockPath(keysDir: string): string {
  return join(dirname(keysDir), `.${basename(keysDir)}.lock`);
}

function parseHolder(raw: string): Holder | null {
  try {
    const value = JSON.parse(raw) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' ? { pid: value.pid, host: value.host } : null;
  } catch {
    return null;
  }
}

/** Whether the lock as read (`raw`, modified at `mtimeMs`) belongs to nobody alive. */
function isAbandoned(raw: string, mtimeMs: number): boolean {
  const age = Date.now() - mtimeMs;
  if (age > LOCK_STALE_MS) return true;
  const holder = parseHolder(raw);
  if (holder === null) return age > EMPTY_LOCK_GRACE_MS;
  return holder.host === hostname() && holder.pid !== process.pid && !isProcessAlive(holder.pid);
}

/**
 * Takes an abandoned lock away. Renaming first and checking what was renamed means two
 * processes breaking the same dead lock cannot remove the fresh lock one of them just took.
 */
async function breakLock(lock: string, seen: string): Promise<void> {
  const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const taken = await readFile(aside, 'utf8').catch(() => seen);
  // Someone else had already broken it and taken it anew: give that lock back.
  if (taken !== seen) await link(aside, lock).catch(() => {});
  await rm(aside, { force: true });
}

async function tryAcquire(lock: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lock, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ShenbiError('STORAGE_ERROR', `cannot create the signing-key lock ${lock}: ${(error as Error).message}`, { cause: error });
  }
  try {
    await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
  } finally {
    await handle.close();
  }
  return true;
}

/** Runs `fn` holding the keys lock; waits for a live holder, breaks an abandoned one. */
export async function withKeysLock<T>(keysDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = keysLockPath(keysDir);
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!(await tryAcquire(lock))) {
    const [raw, info] = await Promise.all([readFile(lock, 'utf8').catch(() => null), stat(lock).catch(() => null)]);
    if (raw === null || info === null) continue; // released meanwhile
    if (isAbandoned(raw, info.mtimeMs)) {
      await breakLock(lock, raw);
      continue;
    }
    if (Date.now() > deadline) {
      throw new ShenbiError('STORAGE_ERROR', `another process (${raw}) has been creating signing keys in ${keysDir} for too long`, {
        hint: `remove ${lock} if no shenbi process is running`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}
