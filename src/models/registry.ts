import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TASK_KINDS } from '../core/task-kinds.ts';
import { md5Schema, sha256Schema } from './catalog.ts';
import { fsyncDir, fsyncFile, writeJsonAtomic } from '../fs/atomic-file.ts';
import { MODEL_FILE_PATTERN, MODEL_NAME_PATTERN } from './model-name.ts';

/** `<modelsDir>/<name>/model.json`: what is installed and where it came from. */
export const modelRecordSchema = z.object({
  name: z.string().regex(MODEL_NAME_PATTERN),
  file: z.string().regex(MODEL_FILE_PATTERN),
  size: z.number().int().nonnegative(),
  sha256: sha256Schema,
  source: z.enum(['catalog', 'url', 'import']),
  /** Where it was downloaded from (the URL actually used, mirror included). */
  url: z.string().optional(),
  /** True when the bytes matched a hash known in advance (catalog entry or `--sha256`). */
  verified: z.boolean(),
  license: z.string().nullable(),
  tasks: z.array(z.enum(TASK_KINDS)).optional(),
  installedAt: z.string(),
  /**
   * Multi-file models only: every file (the first is `file`, the primary). Then `size` is the
   * total and `sha256` the primary file's; each file's own sha256 is what `verify` checks.
   */
  files: z
    .array(
      z.object({
        file: z.string().regex(MODEL_FILE_PATTERN),
        size: z.number().int().nonnegative(),
        sha256: sha256Schema,
        /** The publisher's md5, when that is what the download was verified against. */
        md5: md5Schema.optional(),
      }),
    )
    .min(1)
    .optional(),
});

export type ModelRecord = z.infer<typeof modelRecordSchema>;

export type RecordedFile = NonNullable<ModelRecord['files']>[number];

/** One installed file with its absolute path. */
export interface InstalledFile extends RecordedFile {
  path: string;
}

/** An installed model as callers see it: the record plus absolute paths (`path`: the primary file). */
export interface InstalledModel extends ModelRecord {
  path: string;
  /** Multi-file models only: every file, with its path (see `installedFiles` for any model). */
  files?: InstalledFile[];
}

/** Every installed file of a model (a single-file model: one). */
export function installedFiles(model: InstalledModel): InstalledFile[] {
  return model.files ?? [{ file: model.file, size: model.size, sha256: model.sha256, path: model.path }];
}

/** The record's files in one shape: a single-file record is a list of one. */
export function recordFiles(record: ModelRecord): RecordedFile[] {
  return record.files ?? [{ file: record.file, size: record.size, sha256: record.sha256 }];
}

function installedModel(record: ModelRecord, dir: string): InstalledModel {
  const { files, ...rest } = record;
  const path = join(dir, record.file);
  return files === undefined ? { ...rest, path } : { ...rest, path, files: files.map((f) => ({ ...f, path: join(dir, f.file) })) };
}

export const RECORD_FILE = 'model.json';

/**
 * The local registry: one directory per model holding its file and `model.json`. A model
 * appears only by renaming a fully written, fsynced staging directory into place, so a
 * crash at any moment leaves either the old state or the new one, never a half model.
 */
export class ModelRegistry {
  readonly stagingDir: string;
  readonly trashDir: string;

  constructor(readonly modelsDir: string) {
    this.stagingDir = join(modelsDir, '.staging');
    this.trashDir = join(modelsDir, '.trash');
  }

  modelDir(name: string): string {
    return join(this.modelsDir, name);
  }

  async get(name: string): Promise<InstalledModel | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.modelDir(name), RECORD_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
    const parsed = modelRecordSchema.safeParse(safeJson(text));
    if (!parsed.success || parsed.data.name !== name) {
      process.emitWarning(`Ignoring ${join(this.modelDir(name), RECORD_FILE)}: not a valid model record.`);
      return undefined;
    }
    return installedModel(parsed.data, this.modelDir(name));
  }

  async list(): Promise<InstalledModel[]> {
    let names: string[];
    try {
      names = await readdir(this.modelsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const models: InstalledModel[] = [];
    for (const name of names.filter((n) => MODEL_NAME_PATTERN.test(n)).sort()) {
      const model = await this.get(name);
      if (model !== undefined) models.push(model);
    }
    return models;
  }

  /** A fresh staging directory on the models dir's filesystem (so the final rename is atomic). */
  async createStaging(name: string): Promise<string> {
    const dir = join(this.stagingDir, `${name}.${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Completes a staging directory that already holds the record's files: fsyncs them,
   * writes the record, and renames the directory into place (replacing an older install).
   */
  async commit(stagingDir: string, record: ModelRecord): Promise<InstalledModel> {
    try {
      for (const { file } of recordFiles(record)) await fsyncFile(join(stagingDir, file));
      await writeJsonAtomic(join(stagingDir, RECORD_FILE), modelRecordSchema.parse(record));
      const target = this.modelDir(record.name);
      const old = await this.#moveToTrash(record.name);
      await rename(stagingDir, target);
      await fsyncDir(this.modelsDir);
      if (old !== undefined) await rm(old, { recursive: true, force: true });
      return installedModel(record, target);
    } catch (error) {
      await rm(stagingDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Deletes what a crashed install or removal of `name` left in `.staging` / `.trash`.
   * Call it only while holding the model's lock: then no live process is staging it.
   */
  async sweep(name: string): Promise<void> {
    const leftover = new RegExp(`^${name.replace(/[.]/g, '\\.')}\\.\\d+-[0-9a-f]{8}$`);
    for (const dir of [this.stagingDir, this.trashDir]) {
      const entries = await readdir(dir).catch(() => [] as string[]);
      for (const entry of entries.filter((e) => leftover.test(e))) await rm(join(dir, entry), { recursive: true, force: true });
    }
  }

  /** Removes an installed model; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const old = await this.#moveToTrash(name);
    if (old === undefined) return false;
    await fsyncDir(this.modelsDir);
    await rm(old, { recursive: true, force: true });
    return true;
  }

  async #moveToTrash(name: string): Promise<string | undefined> {
    const dir = this.modelDir(name);
    const info = await stat(dir).catch(() => undefined);
    if (info === undefined) return undefined;
    await mkdir(this.trashDir, { recursive: true });
    const trash = join(this.trashDir, `${name}.${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(dir, trash);
    return trash;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
