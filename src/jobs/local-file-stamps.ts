import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StepInputs } from '../core/step.ts';

/** Ids, URLs and other schemes: never local files. */
const NOT_A_PATH = /^(art|upl|job)_|^[a-z][a-z0-9+.-]+:\/\//i;
/** A folder's files are stamped one level deep, up to this many (a media folder, not a disk). */
const MAX_FOLDER_ENTRIES = 500;

export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * What the local files and folders named in a step's inputs are now: size and modification
 * time per path (a folder: its files one level down). Part of the cache key of a job that may
 * read local files, so editing `me.jpg` and running again makes a new result instead of
 * serving the one made from the old picture. Strings that are not existing paths cost one
 * failed stat each; nothing is read.
 */
export async function localFileStamps(inputs: StepInputs): Promise<Record<string, FileStamp | Record<string, FileStamp>> | undefined> {
  const stamps: Record<string, FileStamp | Record<string, FileStamp>> = {};
  for (const candidate of pathLikeStrings(inputs)) {
    const path = resolve(candidate);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) continue;
    if (info.isFile()) stamps[candidate] = { size: info.size, mtimeMs: info.mtimeMs };
    else if (info.isDirectory()) stamps[candidate] = await folderStamps(path);
  }
  return Object.keys(stamps).length === 0 ? undefined : stamps;
}

async function folderStamps(dir: string): Promise<Record<string, FileStamp>> {
  const out: Record<string, FileStamp> = {};
  const names = (await readdir(dir).catch(() => [] as string[])).sort().slice(0, MAX_FOLDER_ENTRIES);
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isFile()) out[name] = { size: info.size, mtimeMs: info.mtimeMs };
  }
  return out;
}

/** Top-level string inputs and strings in top-level arrays (a list of pictures) that could be paths. */
function pathLikeStrings(inputs: StepInputs): string[] {
  const out: string[] = [];
  const consider = (value: unknown) => {
    if (typeof value !== 'string') return;
    const text = value.trim();
    if (text === '' || text.length > 1024 || text.includes('\n') || NOT_A_PATH.test(text)) return;
    out.push(text);
  };
  for (const value of Object.values(inputs)) {
    if (Array.isArray(value)) value.forEach(consider);
    else consider(value);
  }
  return out;
}
