/** A failed API call, carrying the server's stable error code and its fix-it hint. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string | null;

  constructor(code: string, message: string, status: number, hint: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.hint = hint;
  }
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Reads an error from any of the shapes the server speaks: the native
 * `{ error: { code, message, hint } }`, OpenAI's `{ error: { type, code, message } }`, or a
 * flat `{ code, message, hint }` (also used by SSE `error` events).
 */
export function errorFromBody(body: unknown, status: number): ApiError {
  const inner = isObject(body) && isObject(body.error) ? body.error : isObject(body) ? body : {};
  const details = isObject(inner.details) ? inner.details : {};
  const code = text(inner.code) ?? text(inner.type) ?? `HTTP_${status}`;
  const message = text(inner.message) ?? (typeof body === 'string' && body !== '' ? body : `request failed with HTTP ${status}`);
  const hint = text(inner.hint) ?? text(details.hint);
  return new ApiError(code, message, status, hint);
}

export async function requestJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  const raw = await response.text();
  let body: unknown = raw;
  try {
    body = raw === '' ? null : JSON.parse(raw);
  } catch {
    // Not JSON: keep the text, it is still the best error message we have.
  }
  if (!response.ok) throw errorFromBody(body, response.status);
  return body as T;
}

export function postJson<T>(path: string, payload: unknown, signal?: AbortSignal): Promise<T> {
  return requestJson<T>(path, { method: 'POST', body: JSON.stringify(payload), ...(signal ? { signal } : {}) });
}
