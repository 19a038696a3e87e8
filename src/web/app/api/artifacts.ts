import { requestJson } from './http.ts';

/** What the studio shows about an artifact: at least its type and size, more when the server says. */
export interface ArtifactInfo {
  id: string;
  url: string;
  mimeType: string;
  size: number | null;
  name: string | null;
  kind: string | null;
  labels: { type: string; value?: unknown }[];
  provenance: Record<string, unknown> | null;
  createdAt: string | null;
}

export function artifactUrl(id: string): string {
  return `/api/artifacts/${encodeURIComponent(id)}`;
}

/** A HEAD request tells the MIME type and size without downloading the bytes. */
export async function headArtifact(id: string): Promise<ArtifactInfo> {
  const url = artifactUrl(id);
  const response = await fetch(url, { method: 'HEAD' });
  if (!response.ok) throw new Error(`artifact ${id}: HTTP ${response.status}`);
  const length = response.headers.get('content-length');
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? null;
  return {
    id,
    url,
    mimeType: (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim(),
    size: length === null ? null : Number(length),
    name: name === null ? null : decodeURIComponent(name),
    kind: null,
    labels: [],
    provenance: null,
    createdAt: null,
  };
}

export async function fetchText(id: string): Promise<string> {
  const response = await fetch(artifactUrl(id));
  if (!response.ok) throw new Error(`artifact ${id}: HTTP ${response.status}`);
  return response.text();
}

export { requestJson };
