import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../fs/atomic-file.ts';

/**
 * The sidecar beside a partial download: which URL and expectations the bytes belong to,
 * and the validators (ETag / Last-Modified) a resume sends in `If-Range` so a file that
 * changed on the server restarts instead of being spliced.
 */
export const partialMetaSchema = z.object({
  url: z.string(),
  expectedSize: z.number().int().nonnegative().nullable(),
  expectedSha256: z.string().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  totalBytes: z.number().int().nonnegative().nullable(),
  updatedAt: z.string(),
});

export type PartialMeta = z.infer<typeof partialMetaSchema>;

/** The sidecar, or undefined when absent or unreadable (then the partial is not trusted). */
export async function readPartialMeta(path: string): Promise<PartialMeta | undefined> {
  try {
    const parsed = partialMetaSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writePartialMeta(path: string, meta: Omit<PartialMeta, 'updatedAt'>): Promise<void> {
  await writeJsonAtomic(path, { ...meta, updatedAt: new Date().toISOString() });
}

/** `If-Range` accepts a strong ETag or a date; weak ETags would be refused by the server. */
export function ifRangeValue(meta: Pick<PartialMeta, 'etag' | 'lastModified'>): string | undefined {
  if (meta.etag !== null && !meta.etag.startsWith('W/')) return meta.etag;
  return meta.lastModified ?? undefined;
}
