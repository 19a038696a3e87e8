import type { Moderator } from './moderator.ts';

/**
 * Keys whose strings are not prose (model names, voices, file paths, URLs, artifact ids):
 * they are skipped, so a provider never receives a user's file paths.
 */
const NON_PROSE_KEYS = new Set([
  'model', 'voice', 'language', 'lang', 'format', 'mode', 'style', 'uses', 'id', 'kind', 'size', 'aspect', 'quality',
  'audio', 'image', 'images', 'video', 'videos', 'clips', 'pictures', 'music', 'media', 'file', 'files', 'path', 'url', 'folder', 'reference', 'font',
]);

/** Every prose string in a value: nested objects and arrays walked, `$from` bindings skipped. */
export function collectProse(value: unknown, out: string[] = [], key = ''): string[] {
  if (typeof value === 'string') {
    if (!NON_PROSE_KEYS.has(key) && value.trim() !== '') out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectProse(item, out, key);
  } else if (value !== null && typeof value === 'object') {
    if ('$from' in value) return out;
    for (const [k, v] of Object.entries(value)) if (!NON_PROSE_KEYS.has(k)) collectProse(v, out, k);
  }
  return out;
}

interface SubmittedPipeline {
  readonly id: string;
  readonly steps: readonly { readonly id: string; readonly with?: Record<string, unknown> | undefined }[];
}

/**
 * The check the job runner makes when a job is submitted, before anything is stored or
 * run: the job input and the literal values written into its steps (where `generate`
 * puts the task input). Throws GOVERNANCE_REFUSED with details.reason.
 */
export function moderationAdmission(moderator: Moderator): (spec: SubmittedPipeline, input: Record<string, unknown>) => Promise<void> {
  return async (spec, input) => {
    if (!moderator.enabled) return;
    const texts = collectProse(input);
    for (const step of spec.steps) collectProse(step.with ?? {}, texts);
    await moderator.assertAllowed(texts, `the input of ${spec.id}`);
  };
}
