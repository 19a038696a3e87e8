import { stat } from 'node:fs/promises';
import { ShenbiError } from '../core/errors.ts';
import type { TaskKind } from '../core/task-kinds.ts';
import { catalogEntryFiles, isMultiFileEntry, sha256Schema, type CatalogEntry, type CatalogFileEntry } from './catalog.ts';
import { applyModelEndpoint } from './endpoint.ts';
import { assertModelName, closeMatches, modelNameFromFile, safeFileName } from './model-name.ts';
import { installedFiles, recordFiles, type InstalledModel } from './registry.ts';

export type LoadedCatalog = Map<string, { entry: CatalogEntry; catalog: string }>;

/** A decided pull: what to fetch, from where, and what the bytes must be. */
export interface PullPlan {
  name: string;
  file: string;
  url: string;
  sha256: string | undefined;
  size: number | undefined;
  source: 'catalog' | 'url';
  license: string | null;
  tasks: TaskKind[] | undefined;
  /** A multi-file catalog model: every file (download URLs mirrored); `file`/`url` are the first's. */
  files?: CatalogFileEntry[];
}

/**
 * Decides what a pull fetches: a catalog model by name (or by one of its URLs), or a URL
 * outside the catalog; an already-installed non-catalog model is returned as is.
 */
export async function planPull(
  target: string,
  options: { sha256?: string; name?: string },
  context: { catalog: LoadedCatalog; modelEndpoint: string | null; installed: (name: string) => Promise<InstalledModel | undefined> },
): Promise<PullPlan | { installed: InstalledModel }> {
  const { catalog, modelEndpoint } = context;
  const wantedSha = options.sha256 === undefined ? undefined : parseSha256(options.sha256);

  if (/^https?:\/\//i.test(target)) {
    let parsed: URL;
    try {
      parsed = new URL(target);
    } catch {
      throw new ShenbiError('INVALID_INPUT', `Not a valid URL: ${target}`, { details: { url: target } });
    }
    const fromCatalog = [...catalog.values()].find(({ entry }) => catalogEntryFiles(entry).some((f) => f.url === parsed.href))?.entry;
    if (fromCatalog !== undefined && (options.name === undefined || options.name === fromCatalog.name)) {
      return catalogPlan(fromCatalog, wantedSha, modelEndpoint);
    }
    const file = safeFileName(parsed.pathname);
    const name = assertModelName(options.name ?? modelNameFromFile(file));
    if (catalog.has(name)) {
      throw new ShenbiError('INVALID_INPUT', `${name} is a catalog model with its own URL; pull it by name, or choose another --name for ${target}.`, {
        details: { name, url: target },
        hint: `shenbi models pull ${name}`,
      });
    }
    return {
      name,
      file,
      url: applyModelEndpoint(parsed.href, modelEndpoint),
      sha256: wantedSha,
      size: undefined,
      source: 'url',
      license: null,
      tasks: undefined,
    };
  }

  const entry = catalog.get(target)?.entry;
  if (entry === undefined) {
    // Installed from a URL or an import: nothing to fetch, it is already here.
    const installed = isSafeName(target) ? await context.installed(target) : undefined;
    if (installed !== undefined && (await isIntact(installed))) return { installed };
    const suggestions = closeMatches(target, catalog.keys());
    throw new ShenbiError(
      'MODEL_NOT_FOUND',
      `${JSON.stringify(target)} is not in the model catalog${suggestions.length > 0 ? `; did you mean ${suggestions.join(', ')}?` : '.'}`,
      {
        details: { name: target, suggestions },
        hint: 'shenbi models catalog lists what can be pulled; a URL can be pulled with --name and --sha256.',
      },
    );
  }
  return catalogPlan(entry, wantedSha, modelEndpoint);
}

function catalogPlan(entry: CatalogEntry, wantedSha: string | undefined, modelEndpoint: string | null): PullPlan {
  if (isMultiFileEntry(entry)) {
    if (wantedSha !== undefined) {
      throw new ShenbiError('INVALID_INPUT', `${entry.name} is a model of ${entry.files.length} files; --sha256 applies to single-file pulls (the catalog checks each file).`, {
        details: { name: entry.name },
        hint: `shenbi models pull ${entry.name}`,
      });
    }
    const files = entry.files.map((f) => ({ ...f, url: applyModelEndpoint(f.url, modelEndpoint) }));
    return {
      name: entry.name,
      file: files[0]!.name,
      url: files[0]!.url,
      sha256: files[0]!.sha256,
      size: entry.size,
      source: 'catalog',
      license: entry.license,
      tasks: entry.tasks,
      files,
    };
  }
  if (wantedSha !== undefined && wantedSha !== entry.sha256) {
    throw new ShenbiError('INVALID_INPUT', `--sha256 ${wantedSha} disagrees with the catalog's ${entry.sha256} for ${entry.name}.`, {
      details: { name: entry.name, expected: entry.sha256, given: wantedSha },
    });
  }
  return {
    name: entry.name,
    file: entry.file,
    url: applyModelEndpoint(entry.url, modelEndpoint),
    sha256: entry.sha256,
    size: entry.size,
    source: 'catalog',
    license: entry.license,
    tasks: entry.tasks,
  };
}

function parseSha256(value: string): string {
  const parsed = sha256Schema.safeParse(value);
  if (!parsed.success) {
    throw new ShenbiError('INVALID_INPUT', `--sha256 must be 64 hex digits, got ${JSON.stringify(value)}.`, { details: { sha256: value } });
  }
  return parsed.data;
}

export function isSafeName(name: string): boolean {
  try {
    assertModelName(name);
    return true;
  } catch {
    return false;
  }
}

/** Cheap check that every installed file is still there with its recorded size. */
export async function isIntact(model: InstalledModel): Promise<boolean> {
  for (const file of installedFiles(model)) {
    const info = await stat(file.path).catch(() => undefined);
    if (info?.isFile() !== true || info.size !== file.size) return false;
  }
  return true;
}

export function sameContent(installed: InstalledModel, plan: PullPlan): boolean {
  if (plan.files !== undefined) {
    const have = new Map(recordFiles(installed).map((f) => [f.file, f]));
    return (
      have.size === plan.files.length &&
      plan.files.every((want) => {
        const got = have.get(want.name);
        if (got === undefined || got.size !== want.size) return false;
        return want.sha256 !== undefined ? got.sha256 === want.sha256 : got.md5 === want.md5;
      })
    );
  }
  return plan.sha256 !== undefined ? installed.sha256 === plan.sha256 : installed.url === plan.url;
}

