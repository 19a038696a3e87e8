import type { Context } from 'hono';
import { z } from 'zod';
import type { Artifact } from '../../core/artifact.ts';
import { ShenbiError } from '../../core/errors.ts';
import { safeFileBase } from '../../core/file-name.ts';
import type { ServerEnv, ServerServices } from '../context.ts';
import { visibleArtifact, visibleJob } from '../jobs-access.ts';
import { readQuery } from '../middleware/query.ts';
import type { RouteBook } from '../route-book.ts';

const EXTENSIONS: Record<string, string> = {
  'audio/wav': 'wav', 'audio/mpeg': 'mp3', 'audio/ogg': 'ogg', 'audio/flac': 'flac', 'audio/midi': 'mid',
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/svg+xml': 'svg',
  'video/mp4': 'mp4', 'video/webm': 'webm', 'text/plain': 'txt', 'text/markdown': 'md', 'text/html': 'html',
  'application/json': 'json', 'text/vtt': 'vtt', 'application/x-subrip': 'srt', 'model/gltf-binary': 'glb',
  'model/gltf+json': 'gltf', 'model/stl': 'stl', 'model/3mf': '3mf', 'model/vnd.usdz+zip': 'usdz', 'application/x-bvh': 'bvh',
};

const listQuery = z.object({ job: z.string().optional() }).strict();

/**
 * Content-Disposition for the artifact: its name cleaned (safeFileBase: no separators or
 * quotes, trimmed, capped; the id when nothing is left), as `filename*` in UTF-8 (RFC 6266,
 * so CJK names survive) with a plain-ASCII `filename` for old clients.
 */
export function contentDisposition(artifact: Pick<Artifact, 'id' | 'name' | 'mimeType'>): string {
  const ext = EXTENSIONS[artifact.mimeType.split(';')[0]!.trim()] ?? 'bin';
  const base = safeFileBase(artifact.name?.replace(/\.[A-Za-z0-9]{1,5}$/, ''), artifact.id);
  const ascii = /^[\x20-\x7e]+$/.test(base) ? base : artifact.id;
  return `attachment; filename="${ascii}.${ext}"; filename*=UTF-8''${encodeURIComponent(`${base}.${ext}`).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function metadata(artifact: Artifact) {
  return { ...artifact, blobRef: undefined, url: `/api/artifacts/${artifact.id}` };
}

/** Artifact bytes (labels embedded by governance when they were stored) and their metadata. */
export function registerArtifactRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'get', path: '/api/artifacts/:id', summary: 'Artifact bytes with Content-Type, ETag, Content-Disposition and label headers; single byte ranges.', tag: 'artifacts', scope: 'jobs:read', produces: 'bytes' }, async (c) => {
    const artifact = await visibleArtifact(services, c.get('principal'), c.req.param('id')!);
    return sendArtifact(c, services, artifact);
  });

  book.add({ method: 'get', path: '/api/artifacts/:id/meta', summary: 'Artifact metadata: kind, labels, provenance.', tag: 'artifacts', scope: 'jobs:read' }, async (c) => {
    const artifact = await visibleArtifact(services, c.get('principal'), c.req.param('id')!);
    return c.json(metadata(artifact));
  });

  // Deleting is tenant-checked exactly like reading: another tenant's id is a 404. The
  // provenance-ledger entries stay (what was generated is history; the content goes).
  book.add({ method: 'delete', path: '/api/artifacts/:id', summary: 'Deletes an artifact and reclaims its bytes once no other artifact shares them (409 JOB_RUNNING while its job runs). Its provenance-ledger entry stays.', tag: 'artifacts', scope: 'generate', successStatus: '204' }, async (c) => {
    const artifact = await visibleArtifact(services, c.get('principal'), c.req.param('id')!);
    await services.shenbi.store.artifacts.delete(artifact.id);
    return c.body(null, 204);
  });

  book.add({ method: 'delete', path: '/api/jobs/:id/artifacts', summary: "Deletes every artifact of a finished job (409 JOB_RUNNING while it is queued or running); the job's record stays.", tag: 'jobs', scope: 'generate', successStatus: '204' }, async (c) => {
    const job = await visibleJob(services, c.get('principal'), c.req.param('id')!);
    await services.shenbi.store.artifacts.deleteByJob(job.id);
    return c.body(null, 204);
  });

  book.add({ method: 'get', path: '/api/artifacts', summary: "The caller's artifacts (of one job with ?job=), newest first.", tag: 'artifacts', scope: 'jobs:read' }, async (c) => {
    const { job } = readQuery(c, listQuery);
    const principal = c.get('principal');
    const jobIds = job !== undefined ? [job] : principal.key === null ? undefined : await services.keys.tenantJobIds(principal.tenant, 200);
    const lists = jobIds === undefined ? [await services.shenbi.store.artifacts.list({ limit: 200 })] : await Promise.all(jobIds.map((id) => services.shenbi.store.artifacts.list({ jobId: id })));
    const visible = [];
    for (const artifact of lists.flat()) {
      const ok = await visibleArtifact(services, principal, artifact.id).then(() => true, () => false);
      if (ok) visible.push(metadata(artifact));
    }
    return c.json({ data: visible });
  });
}

export async function sendArtifact(c: Context<ServerEnv>, services: ServerServices, artifact: Artifact): Promise<Response> {
  const etag = `"${artifact.sha256}"`;
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, max-age=31536000, immutable');
  c.header('Accept-Ranges', 'bytes');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Disposition', contentDisposition(artifact));
  c.header('X-Shenbi-Artifact-Id', artifact.id);
  // The label types travel with the download; the labels themselves are inside the bytes and at /meta.
  c.header('X-Shenbi-Labels', [...new Set(artifact.labels.map((l) => l.type))].join(', ') || 'none');
  const inm = c.req.header('if-none-match');
  if (inm !== undefined && inm.split(',').some((t) => t.trim() === etag)) return c.body(null, 304);
  const presigned = services.shenbi.store.presignedDownloads;
  if (presigned != null) {
    // The object store serves the bytes (and Range) itself; the URL expires, so the redirect is not cached.
    const url = await presigned.url(artifact.blobRef, { contentDisposition: contentDisposition(artifact), contentType: artifact.mimeType });
    c.header('Cache-Control', 'no-store');
    return c.redirect(url, 302);
  }
  const { bytes } = await services.shenbi.store.artifacts.read(artifact.id);
  c.header('Content-Type', artifact.mimeType);
  const range = c.req.header('range');
  if (range !== undefined) {
    const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    const size = bytes.length;
    let start = match?.[1] ? Number(match[1]) : undefined;
    let end = match?.[2] ? Number(match[2]) : undefined;
    if (start === undefined && end !== undefined) [start, end] = [Math.max(0, size - end), size - 1];
    // Malformed, beyond the end, reversed, or an empty suffix ("bytes=-0"): 416 with the size.
    if (match === null || start === undefined || start >= size || (end !== undefined && end < start)) {
      c.header('Content-Range', `bytes */${size}`);
      throw new ShenbiError('RANGE_NOT_SATISFIABLE', `Unsatisfiable range "${range.slice(0, 100)}" for ${size} bytes.`, { details: { size } });
    }
    const last = Math.min(end ?? size - 1, size - 1);
    c.header('Content-Range', `bytes ${start}-${last}/${size}`);
    return c.body(new Uint8Array(bytes.subarray(start, last + 1)), 206);
  }
  return c.body(new Uint8Array(bytes), 200);
}
