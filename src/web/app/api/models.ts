import { errorFromBody, requestJson } from './http.ts';
import { parseData, readSse } from './sse.ts';

/** A model as the manager shows it; fields the server does not send stay null. */
export interface ModelRow {
  name: string;
  installed: boolean;
  size: number | null;
  licence: string | null;
  description: string | null;
  /** The catalog's Chinese description, where it has one. */
  descriptionZh: string | null;
  task: string | null;
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function toRow(value: unknown, installedDefault: boolean): ModelRow | null {
  if (!isObject(value)) return null;
  const name = str(value.name) ?? str(value.id);
  if (!name) return null;
  const installed = typeof value.installed === 'boolean' ? value.installed : str(value.status) ? value.status === 'installed' : installedDefault;
  return {
    name,
    installed,
    size: num(value.size) ?? num(value.sizeBytes) ?? num(value.bytes),
    licence: str(value.licence) ?? str(value.license),
    description: str(value.description) ?? str(value.title),
    descriptionZh: str(value.descriptionZh),
    task: str(value.task) ?? str(value.kind) ?? (Array.isArray(value.tasks) ? value.tasks.filter((t) => typeof t === 'string').join(', ') : null),
  };
}

export interface ModelList {
  rows: ModelRow[];
  providers: string[];
  /** The model a request without one gets (the server's defaultTextModel), null from an older server. */
  defaultTextModel: string | null;
}

/** Installed models and the catalog, merged by name (installed keeps the catalog's description); and the configured providers. */
export async function listModels(): Promise<ModelList> {
  const body = await requestJson<unknown>('/api/models');
  const rows = new Map<string, ModelRow>();
  const add = (list: unknown, installed: boolean) => {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      const row = toRow(item, installed);
      if (!row) continue;
      const known = rows.get(row.name);
      // One row per name: installed if either list says so; fields fill in from whichever list has them (installed first).
      const merged: ModelRow =
        known === undefined
          ? row
          : { ...known, installed: known.installed || row.installed, size: known.size ?? row.size, licence: known.licence ?? row.licence, description: known.description ?? row.description, descriptionZh: known.descriptionZh ?? row.descriptionZh, task: known.task ?? row.task };
      rows.set(row.name, merged);
    }
  };
  if (Array.isArray(body)) add(body, true);
  else if (isObject(body)) {
    add(body.installed, true);
    add(body.models, true);
    add(body.data, true);
    add(body.catalog, false);
  }
  const providers = isObject(body) && Array.isArray(body.providers) ? body.providers.filter((p): p is string => typeof p === 'string') : [];
  const defaults = isObject(body) && isObject(body.defaults) ? body.defaults : {};
  return { rows: [...rows.values()].sort((a, b) => Number(b.installed) - Number(a.installed) || a.name.localeCompare(b.name)), providers, defaultTextModel: str(defaults.text) };
}

export interface PullProgress {
  fraction: number | null;
  received: number | null;
  total: number | null;
}

/** Pulls a model, reporting progress from the SSE stream; rejects with the server's error. */
export async function pullModel(name: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
  const init: RequestInit = { method: 'POST', ...(signal ? { signal } : {}) };
  for await (const message of readSse(`/api/models/${encodeURIComponent(name)}/pull`, init)) {
    const data = parseData(message);
    const body = isObject(data) ? data : {};
    const type = str(body.type) ?? message.event;
    if (type === 'error') {
      throw errorFromBody(body, 500);
    }
    const received = num(body.receivedBytes) ?? num(body.received);
    const total = num(body.totalBytes) ?? num(body.total);
    const fraction = num(body.fraction) ?? (received !== null && total ? received / total : null);
    onProgress({ fraction, received, total });
    if (type === 'result') return;
  }
}
