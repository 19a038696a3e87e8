import { request as httpRequest } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.ts';
import type { Caller, FuzzRequest } from './fuzz-requests.ts';

/** Where a caller's requests go. */
export interface FuzzTargets {
  /** The server with keys (tenants A and B). */
  keyed: { url: string; tokens: Record<string, string>; home: string };
  /** The loopback server without keys. */
  keyless: { url: string; home: string };
}

export interface FuzzResponse {
  status: number;
  contentType: string;
  /** The body as text (textual types only; bytes are not scanned), capped. */
  text: string;
  /** fetch failed: the connection dropped or the deadline passed before the headers came. */
  failure?: string;
}

/** One thing wrong with one response. `kind` groups failures into classes. */
export interface Finding {
  kind: 'status-5xx' | 'error-shape' | 'server-path' | 'stack-trace' | 'connection' | 'timeout' | 'job-internal';
  detail: string;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TEXT_CAP = 2 * 1024 * 1024;
const KNOWN_CODES = new Set(Object.keys(ERROR_CODES));

/**
 * The statuses a documented failure may have: every code's own status except INTERNAL's
 * (a 500 that means "a bug escaped"). A 5xx is fine only with a code whose status it is.
 */
export function documentedStatus(code: string, status: number): boolean {
  return code !== 'INTERNAL' && KNOWN_CODES.has(code) && ERROR_CODES[code as ErrorCode].http === status;
}

function origin(targets: FuzzTargets, caller: Caller): string {
  return caller === 'local' ? targets.keyless.url : targets.keyed.url;
}

function authHeader(targets: FuzzTargets, caller: Caller): Record<string, string> {
  if (caller === 'A' || caller === 'B') return { authorization: `Bearer ${targets.keyed.tokens[caller]}` };
  if (caller === 'junk') return { authorization: 'Bearer sk-shenbi-key_00000000000000000000000000.AAAA' };
  return {};
}

/**
 * Sends one request; never throws. SSE bodies are read for `sseMs`, then the stream is dropped.
 * `fresh`: on a new connection closed after the answer (no keep-alive socket is reused).
 */
export async function send(targets: FuzzTargets, request: FuzzRequest, options: { timeoutMs?: number; sseMs?: number; fresh?: boolean } = {}): Promise<FuzzResponse> {
  if (options.fresh) return sendFresh(targets, request, options.timeoutMs ?? 60_000, options.sseMs ?? 2_000);
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new Error('deadline')), options.timeoutMs ?? 60_000);
  try {
    const body = bodyOf(request);
    let response: Response;
    try {
      response = await fetch(`${origin(targets, request.caller)}${request.url}`, {
        method: request.method,
        headers: { ...request.headers, ...authHeader(targets, request.caller) },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      // The client itself refused to send it (a header fetch considers invalid): not the server's doing.
      if (error instanceof TypeError && /header|Request with|invalid|body/i.test(error.message) && cause === undefined) return { status: 0, contentType: '', text: '' };
      return { status: 0, contentType: '', text: '', failure: controller.signal.aborted ? 'timeout' : `${(error as Error).message}: ${cause?.code ?? ''} ${cause?.message ?? ''}` };
    }
    const contentType = response.headers.get('content-type') ?? '';
    const textual = contentType === '' || /json|text|event-stream|xml|javascript/i.test(contentType);
    if (!textual || request.method === 'HEAD') {
      await response.body?.cancel().catch(() => {});
      return { status: response.status, contentType, text: '' };
    }
    const sse = contentType.includes('event-stream');
    const text = await readCapped(response, sse ? (options.sseMs ?? 2_000) : undefined);
    return { status: response.status, contentType, text };
  } finally {
    clearTimeout(deadline);
  }
}

function bodyOf(request: FuzzRequest): Buffer | undefined {
  if (request.body === undefined) return undefined;
  if (request.bodyBase64) return Buffer.from(request.body, 'base64');
  return Buffer.from(request.body, request.headers['content-type']?.startsWith('multipart/') ? 'latin1' : 'utf8');
}

/** The same request over node:http on a connection of its own. */
function sendFresh(targets: FuzzTargets, request: FuzzRequest, timeoutMs: number, sseMs: number): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const body = bodyOf(request);
    const headers: Record<string, string | number> = { ...request.headers, ...authHeader(targets, request.caller), connection: 'close' };
    if (body !== undefined) headers['content-length'] = body.byteLength;
    const req = httpRequest(`${origin(targets, request.caller)}${request.url}`, { method: request.method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      const textual = contentType === '' || /json|text|event-stream|xml|javascript/i.test(contentType);
      let text = '';
      const done = () => resolve({ status: res.statusCode ?? 0, contentType, text: textual ? text : '' });
      const stop = contentType.includes('event-stream') ? setTimeout(() => res.destroy(), sseMs) : undefined;
      res.on('data', (chunk: Buffer) => {
        if (textual && text.length <= TEXT_CAP) text += chunk.toString('utf8');
      });
      res.on('end', () => (clearTimeout(stop), done()));
      res.on('close', () => (clearTimeout(stop), done()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: Error & { code?: string }) => resolve({ status: 0, contentType: '', text: '', failure: error.message === 'timeout' ? 'timeout' : `${error.message}: ${error.code ?? ''}` }));
    req.end(body);
  });
}

async function readCapped(response: Response, forMs: number | undefined): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const decoder = new TextDecoder();
  let text = '';
  const stop = forMs === undefined ? undefined : setTimeout(() => void reader.cancel().catch(() => {}), forMs);
  try {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length > TEXT_CAP) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } finally {
    clearTimeout(stop);
  }
  return text;
}

/** The request as text a response may legitimately echo (decoded URL, headers, body). */
export function requestText(request: FuzzRequest): string {
  let url = request.url;
  try {
    url = `${url}\n${decodeURIComponent(url)}`;
  } catch {
    // a malformed escape stays as sent
  }
  return `${url}\n${Object.values(request.headers).join('\n')}\n${request.bodyBase64 ? '' : (request.body ?? '')}`;
}

/** Server paths that must never appear in a body unless the caller sent them. */
export function serverPaths(targets: FuzzTargets): string[] {
  return [targets.keyed.home, targets.keyless.home, REPO, REPO.replace(/\/$/, ''), `${homedir()}/`, `${tmpdir()}/`, '/root/', '/work/'];
}

const STACK_PATTERNS = [/\n\s+at [^\n]*(?:\(|file:|node:|\/)/, /\.(?:ts|mjs|cjs):\d+:\d+/, /node:internal\//];

/** Paths and stack traces in a piece of text the server wrote. */
export function scanText(text: string, echoed: string, paths: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const path of paths) {
    if (text.includes(path) && !echoed.includes(path)) {
      const at = text.indexOf(path);
      findings.push({ kind: 'server-path', detail: `"${path}" in body: …${text.slice(Math.max(0, at - 80), at + 120)}…` });
      break;
    }
  }
  for (const pattern of STACK_PATTERNS) {
    const match = pattern.exec(text);
    if (match !== null && !pattern.test(echoed)) {
      findings.push({ kind: 'stack-trace', detail: `stack trace in body: …${text.slice(Math.max(0, match.index - 80), match.index + 160)}…` });
      break;
    }
  }
  return findings;
}

function errorShapeFindings(value: unknown, where: string): Finding[] {
  const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error === undefined || typeof error !== 'object' || error === null) return [{ kind: 'error-shape', detail: `${where}: no { error } object` }];
  if (typeof error.code !== 'string' || !KNOWN_CODES.has(error.code)) return [{ kind: 'error-shape', detail: `${where}: unknown code ${JSON.stringify(error.code)}` }];
  if (typeof error.message !== 'string' || error.message === '') return [{ kind: 'error-shape', detail: `${where}: no message` }];
  return [];
}

/** Everything wrong with one response to `request`. */
export function judge(request: FuzzRequest, response: FuzzResponse, paths: readonly string[]): Finding[] {
  if (response.failure !== undefined) return [{ kind: response.failure === 'timeout' ? 'timeout' : 'connection', detail: response.failure }];
  if (response.status === 0) return [];
  const findings: Finding[] = [];
  const echoed = requestText(request);
  let parsed: unknown;
  if (response.contentType.includes('json')) {
    try {
      parsed = JSON.parse(response.text);
    } catch {
      parsed = undefined;
    }
  }
  // Node's HTTP parser answers headers over its 16 KiB limit itself, before any route: no body to judge.
  if (response.status === 431 && response.text === '') return scanText(response.text, echoed, paths);
  if (response.status >= 400 && request.method !== 'HEAD') {
    const shape = errorShapeFindings(parsed, `${response.status} body ${response.text.slice(0, 200)}`);
    findings.push(...shape);
    if (response.status >= 500) {
      const code = (parsed as { error?: { code?: string } } | undefined)?.error?.code ?? '(none)';
      if (!documentedStatus(code, response.status)) findings.push({ kind: 'status-5xx', detail: `${response.status} ${code}: ${response.text.slice(0, 300)}` });
    }
  } else if (response.status >= 500) {
    findings.push({ kind: 'status-5xx', detail: `${response.status} to HEAD` });
  }
  if (response.contentType.includes('event-stream')) {
    for (const block of response.text.split('\n\n')) {
      if (!/^event: error$/m.test(block)) continue;
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      try {
        findings.push(...errorShapeFindings(JSON.parse(data), 'SSE error event'));
      } catch {
        findings.push({ kind: 'error-shape', detail: `SSE error event is not JSON: ${data.slice(0, 200)}` });
      }
    }
  }
  findings.push(...scanText(response.text, echoed, pathsHiddenFrom(request.caller, paths)));
  return findings;
}

/**
 * The paths a caller must not read. The keyless loopback user is this machine's own user
 * (it may name local files): it reads errors unredacted, like the CLI. Everyone else: none.
 */
export function pathsHiddenFrom(caller: Caller, paths: readonly string[]): readonly string[] {
  return caller === 'local' ? [] : paths;
}

/** A one-line description of a request, for failure messages. */
export function describe(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : ` body(${request.body.length}${request.bodyBase64 ? ' b64' : ''}): ${request.bodyBase64 ? '' : request.body.slice(0, 300)}`;
  return `${request.caller} ${request.method} ${request.url.slice(0, 300)} ${JSON.stringify(Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, v.slice(0, 80)])))}${body}`;
}
