import type { ArtifactSummary } from './jobs.ts';
import { requestJson } from './http.ts';

/** How an artifact was made, as the server's provenance record says (fields the studio shows). */
export interface ProvenanceView {
  task?: string;
  engine?: { id: string; version: string };
  model?: { name: string; sha256: string | null } | null;
  parameters?: Record<string, unknown>;
  seed?: number | null;
  parents?: string[];
  timings?: { startedAt: string; finishedAt: string; durationMs: number };
}

/** What the studio shows about an artifact; the job view gives the short form, `/meta` the full one. */
export interface ArtifactInfo {
  id: string;
  url: string;
  kind: string;
  mimeType: string;
  size: number | null;
  name: string | null;
  labels: { type: string; placement?: string; value?: unknown }[];
  provenance: ProvenanceView | null;
  jobId: string | null;
  createdAt: string | null;
}

/** The explicit label's wording from an artifact's label records (what STL and 3MF carry beside or inside the file). */
export function explicitWording(labels: readonly { type: string; placement?: string; value?: unknown }[]): string | null {
  for (const label of labels) {
    if (label.type !== 'aigc-explicit' || typeof label.value !== 'object' || label.value === null) continue;
    const wording = (label.value as { wording?: unknown }).wording;
    if (typeof wording === 'string' && wording.trim() !== '') return wording;
  }
  return null;
}

export function artifactUrl(id: string): string {
  return `/api/artifacts/${encodeURIComponent(id)}`;
}

export function infoFromSummary(summary: ArtifactSummary): ArtifactInfo {
  return { ...summary, url: artifactUrl(summary.id), provenance: null, jobId: null, createdAt: null };
}

type Meta = Omit<ArtifactInfo, 'url'> & { url?: string };

function toInfo(meta: Meta): ArtifactInfo {
  return { ...meta, url: artifactUrl(meta.id), provenance: meta.provenance ?? null, jobId: meta.jobId ?? null, createdAt: meta.createdAt ?? null };
}

/** Full metadata: kind, labels and provenance (`GET /api/artifacts/:id/meta`). */
export async function fetchArtifactInfo(id: string): Promise<ArtifactInfo> {
  return toInfo(await requestJson<Meta>(`${artifactUrl(id)}/meta`));
}

/** The caller's artifacts, newest first. */
export async function listArtifacts(): Promise<ArtifactInfo[]> {
  const body = await requestJson<{ data?: Meta[] }>('/api/artifacts');
  return (body.data ?? []).map(toInfo);
}

/** Deletes an artifact (`DELETE /api/artifacts/:id`, 204); its provenance record stays on the server. */
export async function deleteArtifact(id: string): Promise<void> {
  await requestJson<null>(artifactUrl(id), { method: 'DELETE' });
}

export async function fetchText(id: string): Promise<string> {
  const response = await fetch(artifactUrl(id));
  if (!response.ok) throw new Error(`artifact ${id}: HTTP ${response.status}`);
  return response.text();
}
