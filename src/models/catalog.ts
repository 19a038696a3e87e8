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

export const md5Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'expected 32 hex digits')
  .transform((s) => s.toLowerCase());

const modelNameSchema = z.string().regex(MODEL_NAME_PATTERN, 'letters, digits, ".", "_", "-"; not starting with "." or "-"');
const fileNameSchema = z.string().regex(MODEL_FILE_PATTERN, 'a plain file name (no slashes)');
const downloadUrlSchema = z.url({ protocol: /^https?$/ });

/**
 * One file of a multi-file model. Every file carries a checksum. sha256 is preferred; `md5`
 * is accepted in its place because some publishers (rhasspy/piper-voices' `voices.json`)
 * publish only size + md5: a pull then checks size + md5 and records the sha256 it computed
 * from the installed bytes, which is what later integrity checks (`resolve --verify`) use.
 */
export const catalogFileEntrySchema = z
  .object({
    name: fileNameSchema,
    url: downloadUrlSchema,
    size: z.number().int().positive(),
    sha256: sha256Schema.optional(),
    md5: md5Schema.optional(),
  })
  .strict()
  .refine((file) => file.sha256 !== undefined || file.md5 !== undefined, { message: 'every file needs a checksum: sha256 (preferred) or md5' });

export type CatalogFileEntry = z.infer<typeof catalogFileEntrySchema>;

const entryCommon = {
  name: modelNameSchema,
  title: z.string().min(1),
  tasks: z.array(z.enum(TASK_KINDS)).min(1),
  license: z.string().min(1),
  description: z.string().min(1),
  /** The description in Chinese, for the studio's zh UI. */
  descriptionZh: z.string().min(1).optional(),
  tags: z.array(z.string().min(1)).optional(),
};

/** The original form: one file, one URL, size and sha256. */
export const singleFileEntrySchema = z
  .object({
    ...entryCommon,
    /** File name inside the model's directory. */
    file: fileNameSchema,
    url: downloadUrlSchema,
    size: z.number().int().positive(),
    sha256: sha256Schema,
  })
  .strict();

/**
 * A model made of several files installed together in one directory (a Piper voice:
 * `X.onnx` + `X.onnx.json`). The first file is the primary one (`path` of the install);
 * `size` is filled in as the total over all files.
 */
export const multiFileEntrySchema = z
  .object({
    ...entryCommon,
    files: z.array(catalogFileEntrySchema).min(1),
  })
  .strict()
  .superRefine((entry, ctx) => {
    const seen = new Set<string>();
    entry.files.forEach((file, index) => {
      if (seen.has(file.name)) ctx.addIssue({ code: 'custom', path: ['files', index, 'name'], message: `duplicate file name "${file.name}"` });
      if (file.name === 'model.json') ctx.addIssue({ code: 'custom', path: ['files', index, 'name'], message: '"model.json" is the install record' });
      seen.add(file.name);
    });
  })
  .transform((entry) => ({ ...entry, size: entry.files.reduce((sum, file) => sum + file.size, 0) }));

export type SingleFileCatalogEntry = z.infer<typeof singleFileEntrySchema>;
export type MultiFileCatalogEntry = z.infer<typeof multiFileEntrySchema>;
export type CatalogEntry = SingleFileCatalogEntry | MultiFileCatalogEntry;

/**
 * One recommended model: where it comes from and what it is good for. An entry with `files`
 * is multi-file, else single-file; picking the form first (rather than a plain union) keeps
 * error messages specific ("every file needs a checksum", not "invalid input").
 */
export const catalogEntrySchema = z.unknown().transform((value, ctx): CatalogEntry => {
  const schema = typeof value === 'object' && value !== null && 'files' in value ? multiFileEntrySchema : singleFileEntrySchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/** The files of an entry in one shape (a single-file entry is a list of one, sha256 known). */
export function catalogEntryFiles(entry: CatalogEntry): CatalogFileEntry[] {
  if ('files' in entry) return entry.files;
  return [{ name: entry.file, url: entry.url, size: entry.size, sha256: entry.sha256 }];
}

export function isMultiFileEntry(entry: CatalogEntry): entry is MultiFileCatalogEntry {
  return 'files' in entry;
}

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

/** A catalog entry as the manager shows it: plus the URL a pull would use (mirror applied). */
export type CatalogModel = CatalogEntry & {
  /** For a multi-file model: its first file's. */
  downloadUrl: string;
  /** The catalog file it came from (`builtin` for Shenbi's own). */
  catalog: string;
};

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
