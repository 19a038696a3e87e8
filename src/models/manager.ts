import { constants } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import { ShenbiError, isShenbiError, toShenbiError } from '../core/errors.ts';
import { catalogEntryFiles, isMultiFileEntry, loadCatalog, type CatalogEntry, type CatalogFileEntry, type CatalogModel } from './catalog.ts';
import { downloadResumable } from './download.ts';
import { withDownloadHint } from './download-hint.ts';
import { applyModelEndpoint } from './endpoint.ts';
import { sha256File } from './hash.ts';
import { downloadModelFiles } from './multi-file-pull.ts';
import { acquireFileLock, tryAcquireFileLock } from './lock.ts';
import { assertModelName, closeMatches, modelNameFromFile, safeFileName } from './model-name.ts';
import { ProgressMeter, type ProgressListener } from './progress.ts';
import { signaturesHold, signaturesOf, type FileSignature } from './file-signature.ts';
import { ModelRegistry, RECORD_FILE, installedFiles, type InstalledModel, type ModelRecord } from './registry.ts';
import { isIntact, isSafeName, planPull, sameContent, type PullPlan } from './pull-plan.ts';

/** How long a resolution is reused (ModelManager.resolve). */
const RESOLVED_FRESH_MS = 1_000;
/** Names whose resolution is kept at most (the oldest forgotten first). */
const MAX_RESOLVED = 256;

export interface ModelManagerOptions {
  /** Where models are installed (`ShenbiConfig.modelsDir`). */
  modelsDir: string;
  /** Mirror that replaces the https://huggingface.co origin (`HF_ENDPOINT`-style). */
  modelEndpoint?: string | null;
  /** Extra catalog files merged over the built-in one (`ShenbiConfig.catalogs`). */
  catalogs?: readonly string[];
  /** Network and timing knobs; the defaults suit real downloads, tests shorten them. */
  download?: {
    maxAttempts?: number;
    retryDelayMs?: number;
    idleTimeoutMs?: number;
    progressIntervalMs?: number;
    lockPollMs?: number;
  };
}

export interface PullOptions {
  /** Expected sha256 (required to mark a URL pull as verified; must agree with the catalog). */
  sha256?: string;
  /** Name to install a URL under (default: derived from the URL's file name). */
  name?: string;
  onProgress?: ProgressListener;
  /** Aborting stops the transfer; the partial download stays for the next pull. */
  signal?: AbortSignal;
}

export interface ImportOptions {
  /** Name to install under (default: the catalog entry with this file name, else from the file name). */
  name?: string;
  /** Always copy the bytes; by default a hard link is made when the file is on the same disk. */
  copy?: boolean;
}

/** What an engine needs to load a model. */
export interface ResolvedModel {
  name: string;
  /** The primary file (a multi-file model's first). */
  path: string;
  sha256: string;
  /** A multi-file model: the total over its files. */
  size: number;
  /** Multi-file models only: every file, all in one directory (the first is `path`). */
  files?: { file: string; path: string; size: number; sha256: string }[];
}

/**
 * The model manager: a catalog of recommended models, explicit pulls (resumable,
 * checksum-verified, installed atomically), imports, removal, and `resolve` for engines.
 * Nothing here downloads on its own: only `pull` touches the network.
 */
export class ModelManager {
  readonly modelsDir: string;
  readonly modelEndpoint: string | null;
  readonly #catalogFiles: readonly string[];
  readonly #registry: ModelRegistry;
  readonly #partialDir: string;
  readonly #download: NonNullable<ModelManagerOptions['download']>;
  #catalog: Promise<Map<string, { entry: CatalogEntry; catalog: string }>> | undefined;
  /** Recent resolutions by name (see resolve): a chat request must not read and stat the model's files each time. */
  readonly #resolved = new Map<string, { model: ResolvedModel; at: number; signatures: FileSignature[] | undefined }>();

  constructor(options: ModelManagerOptions) {
    this.modelsDir = resolvePath(options.modelsDir);
    // Checked when a download URL is built, not here: a bad HF_ENDPOINT must not break
    // commands that never download (the manager is built by every Shenbi.open).
    this.modelEndpoint =
      options.modelEndpoint === undefined || options.modelEndpoint === null || options.modelEndpoint === '' ? null : options.modelEndpoint;
    this.#catalogFiles = options.catalogs ?? [];
    this.#registry = new ModelRegistry(this.modelsDir);
    this.#partialDir = join(this.modelsDir, '.partial');
    this.#download = options.download ?? {};
  }

  /** The recommended models (built-in plus configured catalogs), with the URL a pull would use. */
  async catalog(): Promise<CatalogModel[]> {
    const merged = await this.#loadCatalog();
    return [...merged.values()].map(({ entry, catalog }) => ({
      ...entry,
      downloadUrl: applyModelEndpoint(catalogEntryFiles(entry)[0]!.url, this.modelEndpoint),
      catalog,
    }));
  }

  /** Installed models, by name. */
  async list(): Promise<InstalledModel[]> {
    return this.#registry.list();
  }

  /**
   * Downloads a catalog model (by name) or a URL, resuming any partial download, verifies
   * size and sha256, and installs it atomically. Returns the installed model; a model that
   * is already installed with the expected hash is returned without downloading.
   */
  async pull(nameOrUrl: string, options: PullOptions = {}): Promise<InstalledModel> {
    const plan = await this.#planPull(nameOrUrl, options);
    if ('installed' in plan) return plan.installed;
    const paths = this.#partialPaths(plan.name);
    await this.#ensureDir(this.#partialDir);
    const release = await this.#lock(paths.lock, options.signal);
    try {
      await this.#registry.sweep(plan.name);
      // Another pull may have installed it while we waited for the lock.
      const existing = await this.#registry.get(plan.name);
      if (existing !== undefined && (await isIntact(existing)) && sameContent(existing, plan)) return existing;
      if (plan.files !== undefined) return await this.#pullFiles(plan, plan.files, options);

      const meter = new ProgressMeter(options.onProgress, this.#download.progressIntervalMs ?? 100);
      let result: Awaited<ReturnType<typeof downloadResumable>>;
      try {
        result = await downloadResumable({
          url: plan.url,
          dataPath: paths.data,
          metaPath: paths.meta,
          ...(plan.size === undefined ? {} : { expectedSize: plan.size }),
          ...(plan.sha256 === undefined ? {} : { expectedSha256: plan.sha256 }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          meter,
          ...this.#downloadKnobs(),
        });
      } catch (error) {
        if (isShenbiError(error) && error.code === 'MODEL_CHECKSUM_MISMATCH') await this.#discardPartial(plan.name);
        throw withDownloadHint(error, { name: plan.name, endpoint: this.modelEndpoint, file: { name: plan.file, url: plan.url } });
      }
      if (plan.sha256 !== undefined && result.sha256 !== plan.sha256) {
        await this.#discardPartial(plan.name);
        throw new ShenbiError(
          'MODEL_CHECKSUM_MISMATCH',
          `The download of ${plan.name} has sha256 ${result.sha256}, but ${plan.sha256} was expected; it was deleted and nothing was installed.`,
          {
            details: { name: plan.name, url: plan.url, expected: plan.sha256, actual: result.sha256, size: result.size },
            hint: 'The file on the server (or mirror) differs from the catalog. Try again later or another endpoint.',
          },
        );
      }

      const record: ModelRecord = {
        name: plan.name,
        file: plan.file,
        size: result.size,
        sha256: result.sha256,
        source: plan.source,
        url: plan.url,
        verified: plan.sha256 !== undefined,
        license: plan.license,
        ...(plan.tasks === undefined ? {} : { tasks: plan.tasks }),
        installedAt: new Date().toISOString(),
      };
      const installed = await this.#storage(async () => {
        const staging = await this.#registry.createStaging(plan.name);
        await rename(paths.data, join(staging, plan.file));
        return this.#commit(staging, record);
      });
      await rm(paths.meta, { force: true });
      return installed;
    } finally {
      await release();
    }
  }

  /**
   * A multi-file model: every file is downloaded (resumable, one progress total) and verified
   * into `.partial/<name>.d/`, then all are moved into one staging directory that is renamed
   * into place, so the model appears with all its files or not at all.
   */
  async #pullFiles(plan: PullPlan, files: CatalogFileEntry[], options: PullOptions): Promise<InstalledModel> {
    const dir = this.#multiPartialDir(plan.name);
    await this.#ensureDir(dir);
    let downloaded: Awaited<ReturnType<typeof downloadModelFiles>>;
    try {
      downloaded = await downloadModelFiles({
        modelName: plan.name,
        files,
        partialDir: dir,
        meter: new ProgressMeter(options.onProgress, this.#download.progressIntervalMs ?? 100),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        knobs: this.#downloadKnobs(),
      });
    } catch (error) {
      throw withDownloadHint(error, { name: plan.name, endpoint: this.modelEndpoint });
    }
    const record: ModelRecord = {
      name: plan.name,
      file: plan.file,
      size: downloaded.reduce((sum, f) => sum + f.size, 0),
      sha256: downloaded[0]!.sha256,
      source: plan.source,
      url: plan.url,
      verified: true,
      license: plan.license,
      ...(plan.tasks === undefined ? {} : { tasks: plan.tasks }),
      installedAt: new Date().toISOString(),
      files: downloaded.map(({ file, size, sha256, md5 }) => ({ file, size, sha256, ...(md5 === undefined ? {} : { md5 }) })),
    };
    const installed = await this.#storage(async () => {
      const staging = await this.#registry.createStaging(plan.name);
      try {
        for (const f of downloaded) await rename(f.partPath, join(staging, f.file));
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        throw error;
      }
      return this.#commit(staging, record);
    });
    await rm(dir, { recursive: true, force: true });
    return installed;
  }

  /**
   * Installs a file that is already on this machine. It is hashed as installed; a file
   * imported under a catalog name must match that entry's sha256.
   */
  async importFile(path: string, options: ImportOptions = {}): Promise<InstalledModel> {
    const source = resolvePath(path);
    const info = await stat(source).catch((error: unknown) => {
      throw new ShenbiError('INVALID_INPUT', `Cannot import ${source}: ${(error as Error).message}`, { cause: error, details: { path: source } });
    });
    if (!info.isFile()) throw new ShenbiError('INVALID_INPUT', `Cannot import ${source}: not a regular file.`, { details: { path: source } });

    const catalog = await this.#loadCatalog();
    const sourceFile = safeFileName(basename(source));
    const byFile = [...catalog.values()].find(({ entry }) => catalogEntryFiles(entry).some((f) => f.name === sourceFile))?.entry;
    const name = assertModelName(options.name ?? byFile?.name ?? modelNameFromFile(sourceFile));
    const found = catalog.get(name)?.entry;
    // Importing is one file at a time; a multi-file model must arrive whole, so it is pulled.
    if (found !== undefined && isMultiFileEntry(found)) {
      throw new ShenbiError('INVALID_INPUT', `${name} is a catalog model of ${found.files.length} files (${found.files.map((f) => f.name).join(', ')}); one file cannot be imported as it.`, {
        details: { name, path: source, files: found.files.map((f) => f.name) },
        hint: `Pull it (resumable, verified): shenbi models pull ${name} — or import under another name with --name.`,
      });
    }
    const entry = found;
    const file = entry?.file ?? sourceFile;

    await this.#ensureDir(this.#partialDir);
    const release = await this.#lock(this.#partialPaths(name).lock, undefined);
    try {
      return await this.#storage(async () => {
        await this.#registry.sweep(name);
        const staging = await this.#registry.createStaging(name);
        const staged = join(staging, file);
        try {
          await placeFile(source, staged, options.copy === true);
          // Hash what was installed, not the source: that is what engines will load.
          const { sha256, size } = await sha256File(staged);
          if (entry !== undefined && sha256 !== entry.sha256) {
            throw new ShenbiError(
              'MODEL_CHECKSUM_MISMATCH',
              `${source} is not the catalog model ${name}: its sha256 is ${sha256}, the catalog says ${entry.sha256}. Nothing was installed.`,
              {
                details: { name, path: source, expected: entry.sha256, actual: sha256 },
                hint: `Import it under another name (--name), or fetch the real one with: shenbi models pull ${name}`,
              },
            );
          }
          return await this.#commit(staging, {
            name,
            file,
            size,
            sha256,
            source: 'import',
            verified: entry !== undefined,
            license: entry?.license ?? null,
            ...(entry === undefined ? {} : { tasks: entry.tasks }),
            installedAt: new Date().toISOString(),
          });
        } catch (error) {
          await rm(staging, { recursive: true, force: true });
          throw error;
        }
      });
    } finally {
      await release();
    }
  }

  /** Removes an installed model and any partial download of it. */
  async remove(name: string): Promise<void> {
    assertModelName(name);
    const removed = await this.#storage(() => this.#registry.remove(name));
    this.#resolved.clear();
    // A partial is only ours to delete when no pull is writing it right now.
    let discardedPartial = false;
    const paths = this.#partialPaths(name);
    if ((await exists(paths.data)) || (await exists(this.#multiPartialDir(name)))) {
      const release = await tryAcquireFileLock(paths.lock).catch(() => undefined);
      if (release !== undefined) {
        try {
          await this.#discardPartial(name);
          discardedPartial = true;
        } finally {
          await release();
        }
      }
    }
    if (!removed && !discardedPartial) {
      throw new ShenbiError('MODEL_NOT_INSTALLED', `The model ${name} is not installed.`, {
        details: { name },
        hint: 'shenbi models list',
      });
    }
  }

  /**
   * Where an installed model's file is. Never downloads: an absent model throws
   * MODEL_NOT_INSTALLED whose hint is the exact pull command, an unknown name MODEL_NOT_FOUND
   * with close matches. `verify` re-hashes the file (slow for big models).
   */
  async resolve(name: string, options: { verify?: boolean } = {}): Promise<ResolvedModel> {
    // A resolution is reused for a second: serving reads the record and stats every file of
    // the model per request otherwise (~1–1.5 ms of a chat's first token). This process's own
    // pulls, imports and removals forget it at once; another process's show within the second.
    // After the second one stat each of the model's folder, record and files tells whether
    // anything changed (a chat turn comes more than a second after the last one's start).
    const recent = this.#resolved.get(name);
    if (options.verify !== true && recent !== undefined) {
      if (Date.now() - recent.at < RESOLVED_FRESH_MS) return recent.model;
      if (recent.signatures !== undefined && (await signaturesHold(recent.signatures))) {
        recent.at = Date.now();
        return recent.model;
      }
    }
    // Signed before the record is read: a change made while it is read shows next time.
    const dir = this.#registry.modelDir(name);
    const before = isSafeName(name) ? await signaturesOf([dir, join(dir, RECORD_FILE)]) : undefined;
    const resolved = await this.#resolveNow(name, options);
    const files = before === undefined ? undefined : await signaturesOf((resolved.files ?? [resolved]).map((file) => file.path));
    this.#resolved.set(name, { model: resolved, at: Date.now(), signatures: before === undefined || files === undefined ? undefined : [...before, ...files] });
    if (this.#resolved.size > MAX_RESOLVED) this.#resolved.delete(this.#resolved.keys().next().value as string);
    return resolved;
  }

  /** Installs a staged model; resolutions made before it are forgotten. */
  async #commit(staging: string, record: ModelRecord): Promise<InstalledModel> {
    try {
      return await this.#registry.commit(staging, record);
    } finally {
      this.#resolved.clear();
    }
  }

  async #resolveNow(name: string, options: { verify?: boolean }): Promise<ResolvedModel> {
    const installed = isSafeName(name) ? await this.#registry.get(name) : undefined;
    const catalog = await this.#loadCatalog();
    const entry = catalog.get(name)?.entry;
    if (installed === undefined || !(await isIntact(installed))) {
      if (entry === undefined && installed === undefined) {
        const names = [...catalog.keys(), ...(await this.#registry.list()).map((m) => m.name)];
        const suggestions = closeMatches(name, names);
        throw new ShenbiError(
          'MODEL_NOT_FOUND',
          `There is no model named ${JSON.stringify(name)}${suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '.'}`,
          { details: { name, suggestions }, hint: 'shenbi models catalog' },
        );
      }
      const pullable = entry !== undefined ? `shenbi models pull ${name}` : `shenbi models import PATH --name ${name}`;
      const what = installed === undefined ? 'is not installed' : 'is damaged (a file is missing or has the wrong size)';
      throw new ShenbiError('MODEL_NOT_INSTALLED', `The model ${name} ${what}. Fetch it with: ${pullable}`, {
        details: { name, ...(entry === undefined ? {} : { size: entry.size, url: catalogEntryFiles(entry)[0]!.url }) },
        hint: pullable,
      });
    }
    if (options.verify === true) {
      for (const file of installedFiles(installed)) {
        const { sha256 } = await sha256File(file.path);
        if (sha256 !== file.sha256) {
          throw new ShenbiError('MODEL_CHECKSUM_MISMATCH', `The installed file ${file.file} of ${name} was changed on disk (sha256 ${sha256}, installed as ${file.sha256}).`, {
            details: { name, path: file.path, expected: file.sha256, actual: sha256 },
            hint: entry !== undefined ? `shenbi models pull ${name}` : `shenbi models rm ${name}`,
          });
        }
      }
    }
    // Frozen: the same object is handed to every caller within the second.
    return Object.freeze({
      name: installed.name,
      path: installed.path,
      sha256: installed.sha256,
      size: installed.size,
      ...(installed.files === undefined ? {} : { files: installed.files.map(({ file, path, size, sha256 }) => Object.freeze({ file, path, size, sha256 })) }),
    });
  }

  async #planPull(target: string, options: PullOptions): Promise<PullPlan | { installed: InstalledModel }> {
    return planPull(target, options, {
      catalog: await this.#loadCatalog(),
      modelEndpoint: this.modelEndpoint,
      installed: (name) => this.#registry.get(name),
    });
  }

  #loadCatalog(): Promise<Map<string, { entry: CatalogEntry; catalog: string }>> {
    // Cached once it loads; a failure is not cached, so fixing the file and retrying works.
    this.#catalog ??= loadCatalog(this.#catalogFiles).catch((error: unknown) => {
      this.#catalog = undefined;
      throw error;
    });
    return this.#catalog;
  }

  #partialPaths(name: string): { data: string; meta: string; lock: string } {
    return {
      data: join(this.#partialDir, `${name}.part`),
      meta: join(this.#partialDir, `${name}.json`),
      lock: join(this.#partialDir, `${name}.lock`),
    };
  }

  /** A multi-file model's partial files (the lock stays `<name>.lock`, shared with single-file pulls). */
  #multiPartialDir(name: string): string {
    return join(this.#partialDir, `${name}.d`);
  }

  async #discardPartial(name: string): Promise<void> {
    const paths = this.#partialPaths(name);
    await rm(paths.data, { force: true });
    await rm(paths.meta, { force: true });
    await rm(this.#multiPartialDir(name), { recursive: true, force: true });
  }

  #downloadKnobs(): { maxAttempts?: number; retryDelayMs?: number; idleTimeoutMs?: number } {
    const { maxAttempts, retryDelayMs, idleTimeoutMs } = this.#download;
    return {
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    };
  }

  async #lock(path: string, signal: AbortSignal | undefined): Promise<() => Promise<void>> {
    try {
      return await acquireFileLock(path, {
        pollMs: this.#download.lockPollMs ?? 200,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (signal?.aborted === true) throw new ShenbiError('JOB_CANCELLED', 'The pull was cancelled while waiting for another pull of the same model.', { cause: error });
      throw toShenbiError(error, 'STORAGE_ERROR');
    }
  }

  async #ensureDir(dir: string): Promise<void> {
    await this.#storage(() => mkdir(dir, { recursive: true }));
  }

  /** File-system work of the registry: ENOSPC becomes DISK_FULL, other errors STORAGE_ERROR. */
  async #storage<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toShenbiError(error, 'STORAGE_ERROR');
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** Hard link when allowed (same disk, no copy wanted), else a copy (reflink where supported). */
async function placeFile(source: string, target: string, forceCopy: boolean): Promise<void> {
  if (!forceCopy) {
    try {
      await link(source, target);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EMLINK' && code !== 'ENOTSUP') throw error;
    }
  }
  await copyFile(source, target, constants.COPYFILE_FICLONE);
}
