import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { isProcessAlive } from './process-alive.ts';

/**
 * Work folders: the scratch space of one step or engine call (copies of user media, partial
 * MP4s, unlabeled intermediates). All live under one Shenbi-owned root,
 * `$SHENBI_HOME/tmp/work`, named `<pid>-t<thread>-<label>-<random>`, so that after a crash
 * (`kill -9` skips every `finally`) `shenbi jobs recover` and `shenbi gc` can tell whose they
 * are and remove those of dead processes, never a live one's.
 */

/** The work root of a Shenbi home. */
export function workRootOf(home: string): string {
  return join(home, 'tmp', 'work');
}

/** Roots of the open Shenbi instances in this thread, newest last (one in practice; tests may open several). */
const roots: string[] = [];
/** Work folders this thread holds right now. */
const live = new Set<string>();

/**
 * Makes `root` where this thread's work folders go until the returned function is called
 * (Shenbi.open does this with its home). A worker thread must call it too, with its parent's
 * `currentWorkRoot()`, since module state is per thread.
 */
export function useWorkRoot(root: string): () => void {
  roots.push(root);
  return () => {
    const at = roots.lastIndexOf(root);
    if (at >= 0) roots.splice(at, 1);
  };
}

/**
 * Where work folders go now: the newest open Shenbi's; with none open (an engine used as a
 * library), `$SHENBI_HOME`'s if that is set, else one shared folder in the system temp.
 */
export function currentWorkRoot(): string {
  const home = process.env.SHENBI_HOME;
  return roots.at(-1) ?? (home ? workRootOf(home) : join(tmpdir(), 'shenbi-work'));
}

/** A new, empty, private work folder; remove it with removeWorkDir (or use withWorkDir). */
export async function makeWorkDir(label: string): Promise<string> {
  const root = currentWorkRoot();
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = join(root, `${process.pid}-t${threadId}-${label.replace(/[^\w.-]/g, '_')}-${randomBytes(6).toString('hex')}`);
  // Marked live before it exists, so a sweep listing the root in between never takes it.
  live.add(dir);
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    live.delete(dir);
    throw error;
  }
  return dir;
}

export async function removeWorkDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } finally {
    live.delete(dir);
  }
}

/** Runs `fn` with a fresh work folder and removes the folder afterwards, however `fn` ends. */
export async function withWorkDir<T>(label: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await makeWorkDir(label);
  try {
    return await fn(dir);
  } finally {
    await removeWorkDir(dir);
  }
}

const WORK_DIR_NAME = /^(\d+)-t(\d+)-/;

/** Default for a live process's folder untouched this long: its pid was reused by another process. */
export const WORK_DIR_STALE_MS = 24 * 3_600_000;

export interface WorkDirSweep {
  /** Folders removed. */
  removed: number;
  /** Folders kept because their process is alive. */
  kept: number;
}

/**
 * Removes work folders whose owner is gone: a dead process's, this thread's that nothing
 * holds (left by a process that had the same pid), and any untouched for `staleAfterMs`
 * (a pid reused by an unrelated process). Another live process's or thread's recent
 * folders stay.
 */
export async function sweepWorkDirs(root: string = currentWorkRoot(), options: { staleAfterMs?: number; now?: number } = {}): Promise<WorkDirSweep> {
  const staleAfterMs = options.staleAfterMs ?? WORK_DIR_STALE_MS;
  const now = options.now ?? Date.now();
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removed: 0, kept: 0 };
    throw error;
  }
  const sweep: WorkDirSweep = { removed: 0, kept: 0 };
  for (const name of names) {
    const match = WORK_DIR_NAME.exec(name);
    if (match === null) continue;
    const dir = join(root, name);
    const pid = Number(match[1]);
    const thread = Number(match[2]);
    let owned: boolean;
    if (pid === process.pid && thread === threadId) owned = live.has(dir);
    else owned = isProcessAlive(pid) && now - (await lastTouched(dir)) < staleAfterMs;
    if (owned) {
      sweep.kept += 1;
      continue;
    }
    await rm(dir, { recursive: true, force: true });
    sweep.removed += 1;
  }
  return sweep;
}

/** The newest mtime of a folder and its entries (a file being written counts). */
async function lastTouched(dir: string): Promise<number> {
  const own = await stat(dir).catch(() => undefined);
  let newest = own?.mtimeMs ?? 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info !== undefined && info.mtimeMs > newest) newest = info.mtimeMs;
  }
  return newest;
}
