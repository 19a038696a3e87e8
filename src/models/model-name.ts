import { basename, extname } from 'node:path';
import { ShenbiError } from '../core/errors.ts';

/**
 * Model names become directory names under the models dir, so they are restricted to a
 * safe alphabet: no slashes, no leading dot (dot-names are the manager's own folders).
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** File names inside a model's directory: one path segment, no leading dot. */
export const MODEL_FILE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$/;

export function isModelName(value: string): boolean {
  return MODEL_NAME_PATTERN.test(value);
}

export function assertModelName(value: string): string {
  if (!isModelName(value)) {
    throw new ShenbiError(
      'INVALID_INPUT',
      `Invalid model name ${JSON.stringify(value)}: use letters, digits, ".", "_" and "-" (up to 128 characters, not starting with "." or "-").`,
      { details: { name: value } },
    );
  }
  return value;
}

/** A safe file name for what a URL or path points at (`model.bin` when nothing usable is left). */
export function safeFileName(raw: string): string {
  let name = basename(raw);
  try {
    name = decodeURIComponent(name);
  } catch {
    // Malformed percent-escapes: keep the raw segment and sanitize it below.
  }
  const cleaned = name.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^[.-]+/, '');
  return MODEL_FILE_PATTERN.test(cleaned) ? cleaned : 'model.bin';
}

/** `Qwen2.5-0.5B-Instruct-Q4_K_M.gguf` → `qwen2.5-0.5b-instruct-q4_k_m`. */
export function modelNameFromFile(fileName: string): string {
  const stem = fileName.slice(0, fileName.length - extname(fileName).length) || fileName;
  const name = stem
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
  return isModelName(name) ? name : 'model';
}

/** Names close to `wanted` (edit distance or substring), best first, for "did you mean". */
export function closeMatches(wanted: string, names: Iterable<string>, limit = 5): string[] {
  const target = wanted.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(names)) {
    const lower = name.toLowerCase();
    const distance = editDistance(target, lower);
    const related = lower.includes(target) || target.includes(lower);
    if (related || distance <= Math.max(2, Math.floor(target.length / 3))) {
      scored.push({ name, score: related ? Math.min(distance, 1) : distance });
    }
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
