import type { SoakRecorder } from './recorder.ts';
import type { TenantKey } from './server-process.ts';

/** Every plain request gets this long; a server that needs more under the soak's load is reported, not waited for. */
const REQUEST_TIMEOUT_MS = 120_000;

export interface CallResult {
  status: number;
  text: string;
  /** The parsed body when it is JSON. */
  body: unknown;
}

/** The server's error code from an OpenAI-shaped error body, if any. */
export function errorCode(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Requests to the soaked server, each counted by route and status; a status outside `expect` is an unexpected error. */
export class SoakHttp {
  constructor(
    readonly url: string,
    private readonly recorder: SoakRecorder,
  ) {}

  headers(key: TenantKey, extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${key.token}`, ...extra };
  }

  /**
   * Sends and reads the whole body. `route` names the route template for the counts;
   * `tolerate` may accept a status outside `expect` (e.g. a cancel that lost a race).
   */
  async call(route: string, key: TenantKey, path: string, init: RequestInit, expect: number[], tolerate?: (result: CallResult) => boolean): Promise<CallResult | undefined> {
    const response = await this.open(route, key, path, init, REQUEST_TIMEOUT_MS);
    if (response === undefined) return undefined;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      this.recorder.error(route, `reading the body: ${describe(error)}`);
      return undefined;
    }
    let body: unknown = undefined;
    if (response.headers.get('content-type')?.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        this.recorder.error(route, `status ${response.status}: a JSON content type with a body that is not JSON: ${text.slice(0, 200)}`);
      }
    }
    const result = { status: response.status, text, body };
    if (!expect.includes(response.status) && !(tolerate?.(result) ?? false)) this.recorder.error(route, `status ${response.status}${errorCode(body) ? ` ${errorCode(body)}` : ''}: ${text.slice(0, 300)}`);
    return result;
  }

  /** Sends and returns the response unread (streams); counts the status. undefined: the request failed (counted as an error). */
  async open(route: string, key: TenantKey, path: string, init: RequestInit, timeoutMs?: number, signal?: AbortSignal): Promise<Response | undefined> {
    const signals = [timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs), signal].filter((s) => s !== undefined);
    try {
      const response = await fetch(`${this.url}${path}`, {
        ...init,
        headers: this.headers(key, (init.headers as Record<string, string> | undefined) ?? {}),
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
      this.recorder.request(route, response.status);
      return response;
    } catch (error) {
      this.recorder.request(route, 'network');
      this.recorder.error(route, describe(error));
      return undefined;
    }
  }
}

export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
