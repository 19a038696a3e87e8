import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import type { ServerServices } from '../context.ts';
import { visibleUpload } from '../jobs-access.ts';
import { readQuery } from '../middleware/query.ts';
import type { RouteBook } from '../route-book.ts';
import type { UploadRecord } from '../uploads/upload-repository.ts';
import { tooLarge } from '../uploads/upload-store.ts';

const uploadQuery = z.object({ name: z.string().max(1000).optional() }).strict();

/** What callers see: never the owner, and never the bytes (an upload is not Shenbi output). */
function view(upload: UploadRecord) {
  return { id: upload.id, name: upload.name, mediaType: upload.mediaType, size: upload.size, sha256: upload.sha256, createdAt: upload.createdAt, expiresAt: upload.expiresAt };
}

/**
 * Users' own media for jobs: POST the raw bytes, then pass the `upl_…` id as any media input
 * (a video `source`, an `audio`, an `image`). Owned by the caller's tenant; expire on their own.
 */
export function registerUploadRoutes(book: RouteBook, services: ServerServices): void {
  book.add(
    {
      method: 'post',
      path: '/api/uploads',
      summary: 'Upload your own audio, video or picture (raw body, Content-Type its media type, ?name= the file name). Returns an upl_… id usable as any media input; it expires.',
      tag: 'uploads',
      scope: 'generate',
      bodyType: 'bytes',
      successStatus: '201',
    },
    async (c) => {
      const { name } = readQuery(c, uploadQuery);
      const principal = c.get('principal');
      const declared = Number(c.req.header('content-length'));
      // Refuse before reading a byte when the client says how much it will send.
      if (Number.isFinite(declared) && declared > services.uploads.limits.maxBytes) throw tooLarge(services.uploads.limits.maxBytes);
      const upload = await services.uploads.receive(c.req.raw.body as WebReadableStream<Uint8Array> | null, { tenant: principal.tenant, keyId: principal.key?.id ?? null }, name, c.req.raw.signal);
      return c.json(view(upload), 201);
    },
  );

  book.add({ method: 'get', path: '/api/uploads/:id', summary: 'An upload’s metadata (never its bytes).', tag: 'uploads', scope: 'jobs:read' }, async (c) => {
    return c.json(view(await visibleUpload(services, c.get('principal'), c.req.param('id')!)));
  });

  book.add({ method: 'delete', path: '/api/uploads/:id', summary: 'Deletes an upload now (jobs already running keep what they read).', tag: 'uploads', scope: 'generate' }, async (c) => {
    const upload = await visibleUpload(services, c.get('principal'), c.req.param('id')!);
    await services.uploads.remove(upload.id);
    return c.json({ id: upload.id, deleted: true });
  });
}
