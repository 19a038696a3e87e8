import { ShenbiError } from '../core/errors.ts';
import { isValidId } from '../core/ids.ts';
import type { PipelineSpecInput } from '../core/pipeline.ts';
import type { Artifact } from '../core/artifact.ts';
import type { JobRecord } from '../store/types.ts';
import type { Principal, ServerServices } from './context.ts';
import { uploadNotFound } from '../pipelines/steps/upload-file.ts';
import type { UploadRecord } from './uploads/upload-repository.ts';

/**
 * Tenant isolation of jobs and artifacts. A keyed caller sees only its tenant's jobs and the
 * artifacts those jobs made; anything else is "not found" (404), never "forbidden", so ids
 * of other tenants' work do not even leak their existence. The keyless local user sees all.
 */
export async function submitOwnedJob(
  services: ServerServices,
  principal: Principal,
  spec: PipelineSpecInput,
  input: Record<string, unknown>,
  /** More records the submission needs (e.g. binding a quota reservation), written with the owner row before the job exists. */
  options: { beforeCreate?: (jobId: string) => Promise<void> } = {},
): Promise<JobRecord> {
  if (principal.key !== null) refuseLocalPaths({ spec, input });
  await refuseOthersMedia(services, principal, { spec, input });
  // The job itself carries the rule, so its steps refuse local paths the quick check above
  // cannot recognise (prompts are free text), also when another process resumes it.
  // The owner row is written before the job: if it fails (a full disk), no job exists to run.
  const job = await services.shenbi.runner.submit(spec, input, {
    caller: { tenant: principal.tenant, localFiles: principal.key === null },
    beforeCreate: async (jobId) => {
      await services.keys.setJobOwner(jobId, principal.tenant, principal.key?.id ?? null);
      await options.beforeCreate?.(jobId);
    },
  });
  return job;
}

export async function visibleJob(services: ServerServices, principal: Principal, id: string): Promise<JobRecord> {
  const notFound = () => new ShenbiError('JOB_NOT_FOUND', `No job ${id}.`);
  if (!isValidId(id, 'job')) throw notFound();
  if (principal.key !== null && (await services.keys.jobTenant(id)) !== principal.tenant) throw notFound();
  const job = await services.shenbi.store.jobs.find(id);
  if (job === undefined) throw notFound();
  return job;
}

export async function visibleArtifact(services: ServerServices, principal: Principal, id: string): Promise<Artifact> {
  if (!isValidId(id, 'art')) {
    throw new ShenbiError('INVALID_INPUT', 'Not an artifact id (expected art_ followed by 26 lowercase base32 characters).', { details: { issues: [{ path: 'id', message: 'not an artifact id' }] } });
  }
  const notFound = () => new ShenbiError('ARTIFACT_NOT_FOUND', `No artifact ${id}.`);
  const artifact = await services.shenbi.store.artifacts.find(id);
  if (artifact === undefined) throw notFound();
  if (principal.key !== null) {
    if (artifact.jobId === null || (await services.keys.jobTenant(artifact.jobId)) !== principal.tenant) throw notFound();
  }
  return artifact;
}

export async function visibleUpload(services: ServerServices, principal: Principal, id: string): Promise<UploadRecord> {
  if (!isValidId(id, 'upl')) throw uploadNotFound(id);
  const upload = await services.uploads.repository.find(id);
  if (upload === undefined || Date.parse(upload.expiresAt) <= Date.now()) throw uploadNotFound(id);
  if (principal.key !== null && upload.tenant !== principal.tenant) throw uploadNotFound(id);
  return upload;
}

/** Every string in a value that is an id of the given kind (`art_…` or `upl_…`), wherever it sits. */
function idsIn(value: unknown, prefix: 'art' | 'upl', found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (isValidId(trimmed, prefix)) found.add(trimmed);
  } else if (Array.isArray(value)) value.forEach((item) => idsIn(item, prefix, found));
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) idsIn(v, prefix, found);
  return found;
}

/**
 * A keyed caller's job may read only its own tenant's artifacts and uploads: naming another
 * tenant's id is answered as if it did not exist (404), before anything runs.
 */
async function refuseOthersMedia(services: ServerServices, principal: Principal, value: unknown): Promise<void> {
  // The keyless local user reads every artifact (as before); uploads must still exist and be unexpired.
  if (principal.key !== null) for (const id of idsIn(value, 'art')) await visibleArtifact(services, principal, id);
  for (const id of idsIn(value, 'upl')) await visibleUpload(services, principal, id);
}

/** Artifact ids among a job's outputs (single values, lists or records of them). */
export function outputArtifactIds(job: JobRecord): string[] {
  const ids = new Set<string>();
  // Outputs may group ids in lists or records (`files: { glb: art_…, stl: art_… }`); a few levels are enough.
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      if (isValidId(value, 'art')) ids.add(value);
    } else if (depth < 3 && Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (depth < 3 && value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(job.outputs ?? {}, 0);
  return [...ids];
}

/**
 * A quick 4xx for obvious paths before a job exists (`audio: "/etc/…"`, `x/../../…`,
 * `file:…`): keyed callers give media as artifact or upload ids or public URLs. Strings
 * with spaces may be prompts, so they pass here; the steps refuse every local path of a
 * keyed caller's job anyway (JobCaller.localFiles), without looking at the file system.
 */
function refuseLocalPaths(value: unknown, path = ''): void {
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^(?:\/|\.{1,2}[\\/]|~|[A-Za-z]:[\\/])\S*$/.test(text) || /^file:/i.test(text) || /^\S*(?:^|[\\/])\.\.(?:[\\/]|$)\S*$/.test(text)) {
      throw new ShenbiError('PATH_NOT_ALLOWED', `${path || 'input'}: local file paths are not accepted from API keys; give an artifact id (art_…), an upload id (upl_…) or a public http(s) URL.`, {
        details: { issues: [{ path: path || '(root)', message: 'local file path' }] },
      });
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((item, i) => refuseLocalPaths(item, `${path}.${i}`));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) refuseLocalPaths(v, path ? `${path}.${k}` : k);
}
