import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ShenbiError } from '../core/errors.ts';
import { TASK_KINDS } from '../core/task-kinds.ts';
import { parseOrThrow } from '../core/validation.ts';
import { MODEL_FILE_PATTERN, MODEL_NAME_PATTERN } from './model-name.ts';

export const sha256Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
  .transform((s) => s.toLowerCase());

/** One recommended model: where it comes from and what it is good for. */
export const catalogEntrySchema = z
  .object({
    name: z.string().regex(MODEL_NAME_PATTERN, 'letters, digits, ".", "_", "-"; not starting with "." or "-"'),
    title: z.string().min(1),
    tasks: z.array(z.enum(TASK_KINDS)).min(1),
    /** File name inside the model's directory. */
    file: z.string().regex(MODEL_FILE_PATTERN, 'a plain file name (no slashes)'),
    url: z.url({ protocol: /^https?$/ }),
    size: z.number().int().positive(),
    sha256: sha256Schema,
    license: z.string().min(1),
    description: z.string().min(1),
    tags: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const catalogFileSchema = z
  .object({
    version: z.literal(1),
    models: z.array(catalogEntrySchema),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.models.forEach((entry, index) => {
      if (seen.has(entry.name)) {
        ctx.addIssue({ code: 'custom', path: ['models', index, 'name'], message: `duplicate model name "${entry.name}"` });
      }
      seen.add(entry.name);
    });
  });

export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

/** A catalog entry as the manager shows it: plus the URL a pull would use (mirror applied). */
export interface CatalogModel extends CatalogEntry {
  downloadUrl: string;
  /** The catalog file it came from (`builtin` for Shenbi's own). */
  catalog: string;
}

export const BUILTIN_CATALOG = new URL('./catalog.json', import.meta.url);

/** Reads and validates one catalog file; bad files are CONFIG_* errors naming the path. */
export async function readCatalogFile(path: string | URL): Promise<CatalogEntry[]> {
  const where = typeof path === 'string' ? path : decodeURIComponent(path.pathname);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ShenbiError('CONFIG_UNREADABLE', `Cannot read the model catalog ${where}: ${(error as Error).message}`, {
      cause: error,
      details: { path: where },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('CONFIG_UNREADABLE', `The model catalog ${where} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
      details: { path: where },
    });
  }
  return parseOrThrow(catalogFileSchema, json, `catalog ${where}`, 'CONFIG_INVALID').models;
}

/**
 * The built-in catalog followed by the configured extra files; a later file's entry
 * replaces an earlier one of the same name (so a team can pin its own mirror or build).
 */
export async function loadCatalog(extraFiles: readonly string[]): Promise<Map<string, { entry: CatalogEntry; catalog: string }>> {
  const merged = new Map<string, { entry: CatalogEntry; catalog: string }>();
  for (const entry of await readCatalogFile(BUILTIN_CATALOG)) merged.set(entry.name, { entry, catalog: 'builtin' });
  for (const file of extraFiles) {
    for (const entry of await readCatalogFile(file)) merged.set(entry.name, { entry, catalog: file });
  }
  return merged;
}
