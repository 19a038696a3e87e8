/**
 * The jobs this browser ran, newest first, so the gallery has something to show even where
 * the server lists no artifacts. Only ids are kept; everything else is read from the server.
 */
const KEY = 'shenbi.jobs';
const LIMIT = 100;

export function rememberedJobs(): string[] {
  try {
    const value: unknown = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberJob(id: string): void {
  const ids = [id, ...rememberedJobs().filter((j) => j !== id)].slice(0, LIMIT);
  globalThis.localStorage?.setItem(KEY, JSON.stringify(ids));
}
