import { readFile } from 'node:fs/promises';
import { ShenbiError } from '../../core/errors.ts';
import type { StepContext } from '../../core/step.ts';
import { fetchMediaBytes } from '../../media/fetch/fetch-media.ts';
import type { HostResolver } from '../../media/fetch/guarded-lookup.ts';
import type { FetchedMediaKind, MediaFetchSettings } from '../../media/fetch/media-fetch-settings.ts';
import { allowedPath, localFilesRefused } from './local-media-path.ts';
import type { UploadObjects } from '../../store/blobs/upload-objects.ts';
import { localUploadFile, uploadNotFound } from './upload-file.ts';

export { allowedPath, localFilesRefused } from './local-media-path.ts';

/** Where steps may read user media from: a file outside every root is refused. */
export interface MediaPolicy {
  readonly roots: readonly string[];
  /** Where users' uploads (`upl_…`) live (config.uploads.dir); without it upload ids are not accepted. */
  readonly uploadsDir?: string;
  /** Uploads shared through S3: one not in uploadsDir yet is fetched from there. */
  readonly uploadObjects?: UploadObjects | null;
  /** Limits, deadlines and address rules for media URLs (config media.fetch); default: public addresses, default limits. */
  readonly fetch?: MediaFetchSettings;
  /** Name resolution for media URLs; tests inject one. Default: the system resolver. */
  readonly resolveHost?: HostResolver;
}

const ARTIFACT_REF = /^art_[0-9a-z]+$/;
const UPLOAD_REF = /^upl_[0-9a-z]+$/;
const HTTP_URL = /^https?:\/\//i;
/** `file:`, `data:`, `ftp:`… (two letters or more, so `C:\\` stays a Windows path). */
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * A media input given as an artifact id (art_…), an upload id (upl_…), a public http(s) URL,
 * or — for callers that may read local files (the CLI, the keyless loopback server) — a file
 * path inside the media roots. Files and uploads are the user's own material: read as they
 * are, never copied into the store as if they were generated, never parents in the
 * provenance of what is made from them. Only outputs are artifacts. `kind` picks the byte
 * limit of a fetched URL.
 */
export async function readMediaInput(ctx: StepContext, ref: string, policy: MediaPolicy, kind: FetchedMediaKind): Promise<{ bytes: Buffer; parents: string[]; name: string }> {
  if (ARTIFACT_REF.test(ref)) {
    const { artifact, bytes } = await ctx.readArtifact(ref);
    return { bytes, parents: [artifact.id], name: artifact.name ?? artifact.id };
  }
  if (UPLOAD_REF.test(ref)) return { bytes: await readUpload(ref, policy), parents: [], name: ref };
  if (HTTP_URL.test(ref)) {
    const bytes = await fetchMediaBytes(ref, { kind, signal: ctx.signal, ...(policy.fetch ? { settings: policy.fetch } : {}), ...(policy.resolveHost ? { resolveHost: policy.resolveHost } : {}) });
    return { bytes, parents: [], name: ref };
  }
  if (!ctx.caller.localFiles) throw localFilesRefused(`${kind} input`);
  if (OTHER_SCHEME.test(ref)) throw new ShenbiError('PATH_NOT_ALLOWED', 'Only http(s) media URLs are accepted.', { details: { scheme: ref.slice(0, ref.indexOf(':') + 1).slice(0, 20) } });
  const path = await allowedPath(ref, { roots: policy.roots, caller: ctx.caller, what: `${kind} input` });
  try {
    return { bytes: await readFile(path), parents: [], name: path };
  } catch (error) {
    throw new ShenbiError('STORAGE_ERROR', `cannot read ${ref}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error, details: { path: ref } });
  }
}

async function readUpload(id: string, policy: MediaPolicy): Promise<Buffer> {
  if (policy.uploadsDir === undefined) throw uploadNotFound(id);
  try {
    return await readFile(await localUploadFile(policy.uploadsDir, id, policy.uploadObjects));
  } catch (error) {
    if (error instanceof ShenbiError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw uploadNotFound(id, error);
    throw new ShenbiError('STORAGE_ERROR', `cannot read upload ${id}: ${(error as Error).message}`, { cause: error });
  }
}
