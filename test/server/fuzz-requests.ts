import fc from 'fast-check';
import { brokenJsonText, fromSchema, hostileStrings, hostileValue, mutated, toJsonText, type JsonSchema } from './fuzz-arbitraries.ts';

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  /** OpenAPI syntax: `/api/jobs/{id}`. */
  path: string;
  scope: string | null;
  bodyType: 'json' | 'multipart' | 'bytes' | null;
  schema: JsonSchema | undefined;
  params: string[];
}

/** Every operation of an OpenAPI 3 document, in document order. */
export function operationsOf(openapi: { paths: Record<string, Record<string, { 'x-shenbi-scope'?: string; requestBody?: { content: Record<string, { schema?: JsonSchema }> } }>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content ?? {};
      const type = Object.keys(content)[0];
      operations.push({
        method: method.toUpperCase(),
        path,
        scope: op['x-shenbi-scope'] ?? null,
        bodyType: type === undefined ? null : type === 'application/json' ? 'json' : type === 'multipart/form-data' ? 'multipart' : 'bytes',
        schema: type === undefined ? undefined : content[type]!.schema,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
      });
    }
  }
  return operations;
}

export const operationKey = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

/** Who sends a request: a tenant's key, no key, a junk key, or the keyless loopback user. */
export type Caller = 'A' | 'B' | 'none' | 'junk' | 'local';

/**
 * A request as plain data, so a failing one can be pasted into the test as a regression
 * example. `body` is text, or base64 when `bodyBase64` is set.
 */
export interface FuzzRequest {
  caller: Caller;
  method: string;
  /** Path and query, already encoded as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  bodyBase64?: boolean;
}

/** What the generator may refer to: ids of real resources, task kinds with their schemas. */
export interface FuzzWorld {
  /** Per caller that owns resources ('A', 'B', 'local'): one job, artifact and upload id. */
  resources: Record<string, { job: string; artifact: string; upload: string }>;
  tasks: { kind: string; input: JsonSchema }[];
  pipelines: string[];
  models: string[];
  /** A small real media file (a WAV) for uploads and multipart file parts. */
  sampleMedia: Buffer;
}

/** encodeURIComponent, but lone surrogates are sent as their UTF-8 replacement bytes instead of throwing. */
export function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

const NEVER_IDS = { job: 'job_0000000000000000000000000a', art: 'art_0000000000000000000000000a', upl: 'upl_0000000000000000000000000a' };

/** Path parameter values: the right kind of id (own, another tenant's, never existing), wrong kinds, and junk. */
function paramValue(world: FuzzWorld, op: Operation, name: string): fc.Arbitrary<string> {
  const kind = name === 'name' ? 'model' : op.path.startsWith('/api/artifacts') ? 'artifact' : op.path.startsWith('/api/uploads') ? 'upload' : 'job';
  const real = Object.values(world.resources).flatMap((r) => (kind === 'model' ? [] : [r[kind]]));
  const wrongKind = Object.values(world.resources).flatMap((r) => [r.job, r.artifact, r.upload]);
  const hostileRaw = ['..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e', '..', '.', '%00', '%', '%ZZ', '%C0%AE%C0%AE', '%F0%9F%98%80', 'a'.repeat(5_000), '%20', ';', 'job_%00', '__proto__', 'constructor', 'toString'];
  return fc.oneof(
    { weight: 4, arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.constantFrom(...world.models) },
    { weight: 2, arbitrary: fc.constantFrom(...Object.values(NEVER_IDS), ...wrongKind, ...(kind === 'model' ? world.models : [])) },
    { weight: 2, arbitrary: fc.constantFrom(...hostileRaw) },
    { weight: 2, arbitrary: fc.constantFrom(...hostileStrings).map(encodeComponent) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map(encodeComponent) },
  );
}

const queryKeys = ['limit', 'job', 'name', 'model', 'stream', 'after', '__proto__', 'constructor', 'limit[]', 'a[b]', '', 'x'.repeat(200)];
const queryValues = fc.oneof(
  fc.constantFrom('1', '0', '-1', '500', '501', '1e3', '1.5', 'abc', '', ' ', 'null', '[]', '{}', '9'.repeat(400), 'true', '%', '%ZZ', '%00', 'job_0000000000000000000000000a').map((v) => (v.startsWith('%') ? v : encodeComponent(v))),
  fc.constantFrom(...hostileStrings).map(encodeComponent),
);

/** No query, or pairs with repeated keys, array syntax, bare keys and junk encodings. */
const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.array(fc.tuple(fc.constantFrom(...queryKeys), queryValues, fc.boolean()), { minLength: 1, maxLength: 4 }).map((pairs) => `?${pairs.map(([k, v, bare]) => (bare && k !== '' ? encodeComponent(k) : `${encodeComponent(k)}=${v}`)).join('&')}`) },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&&', '?=', '?limit', '?limit=1&limit=2', '?%', '?a=%E0%A4%A', `?${'a=1&'.repeat(2_000)}`, '?limit=1#frag') },
);

const rangeValues = ['bytes=0-0', 'bytes=0-', 'bytes=-1', 'bytes=999999999-', 'bytes=5-1', 'bytes=-0', 'bytes=0-1,2-3', 'bytes=abc', 'items=0-1', '', `bytes=${'1'.repeat(400)}-`, 'bytes=-999999999999'];
const lastEventIds = ['-1', '0', 'abc', '9'.repeat(400), '1e9', '  5', '0x10', '', '\u00e9'];
const contentTypes = ['application/json', 'application/json; charset=utf-16', 'text/plain', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', 'application/xml', '*/*', 'application/json; boundary=x', 'x'.repeat(2_000)];

/** Extra headers: bad Range, Last-Event-ID, content types, a large header, hostile Origin. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    range: fc.constantFrom(...rangeValues),
    'last-event-id': fc.constantFrom(...lastEventIds),
    'if-none-match': fc.constantFrom('*', '"x"', 'W/"x"', ''),
    accept: fc.constantFrom('text/event-stream', '*/*', 'application/json', 'x/y'),
    'x-fuzz-large': fc.constant('A'.repeat(8_000)),
    origin: fc.constantFrom('null', 'http://evil.example', 'http://127.0.0.1:1'),
    'x-forwarded-for': fc.constantFrom('127.0.0.1', '::1', '1.2.3.4, 127.0.0.1'),
  },
  { requiredKeys: [] },
);

const json = toJsonText;

/** A JSON body: from the route's schema (and, for jobs, each task's input schema), mutated, or broken text. */
function jsonBody(world: FuzzWorld, op: Operation): fc.Arbitrary<string> {
  const root = op.schema ?? {};
  let valid: fc.Arbitrary<unknown> = fromSchema(root, root);
  if (op.path === '/api/jobs' && op.method === 'POST') {
    const byTask = fc.constantFrom(...world.tasks).chain((task) => fromSchema(task.input, task.input).map((input) => ({ task: task.kind, input })));
    // Pipeline inputs are checked by the runner, not a route schema: hostile values reach further here.
    const pipelineValue = fc.oneof({ weight: 2, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.integer() }, { weight: 2, arbitrary: hostileValue });
    const byPipeline = fc.constantFrom(...world.pipelines).chain((pipeline) => fc.dictionary(fc.constantFrom('text', 'prompt', 'recipient', 'seed', 'audio', 'image', 'source', 'folder', 'soundfont'), pipelineValue).map((input) => ({ pipeline, input })));
    valid = fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: byTask }, { weight: 1, arbitrary: byPipeline });
  }
  return fc.oneof(
    { weight: 3, arbitrary: valid.map(json) },
    { weight: 5, arbitrary: valid.chain(mutated).map(json) },
    { weight: 1, arbitrary: hostileValue.map(json) },
    { weight: 1, arbitrary: brokenJsonText },
  );
}

/** A multipart/form-data body (as latin1 text so it round-trips): well formed with a file, or broken. */
function multipartBody(world: FuzzWorld, op: Operation): fc.Arbitrary<{ body: string; contentType: string }> {
  const root = op.schema ?? {};
  const file = world.sampleMedia.toString('latin1');
  return fc
    .tuple(
      fromSchema(root, root).chain((v) => fc.oneof({ weight: 3, arbitrary: fc.constant(v) }, { weight: 2, arbitrary: mutated(v) })),
      fc.constantFrom<'wav' | 'empty' | 'junk' | 'none' | 'two'>('wav', 'wav', 'empty', 'junk', 'none', 'two'),
      fc.constantFrom<'ok' | 'wrong-boundary' | 'no-end' | 'truncated' | 'no-boundary-param' | 'no-name' | 'crlf-less'>('ok', 'ok', 'ok', 'wrong-boundary', 'no-end', 'truncated', 'no-boundary-param', 'no-name', 'crlf-less'),
    )
    .map(([fields, filePart, shape]) => {
      const boundary = 'fuzzboundary7MA4YWxkTrZu0gW';
      const parts: string[] = [];
      if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
        for (const [name, value] of Object.entries(fields)) {
          const values = Array.isArray(value) ? value : [value];
          for (const v of values) parts.push(`Content-Disposition: form-data; name="${shape === 'no-name' ? '' : name}"\r\n\r\n${typeof v === 'string' ? v : JSON.stringify(v)}`);
        }
      }
      const fileBytes = filePart === 'wav' || filePart === 'two' ? file : filePart === 'junk' ? 'RIFF\u0000\u0000junk' : '';
      if (filePart !== 'none') parts.push(`Content-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n${fileBytes}`);
      if (filePart === 'two') parts.push(`Content-Disposition: form-data; name="file"; filename="../../b.wav"\r\nContent-Type: audio/wav\r\n\r\n${fileBytes}`);
      const sep = shape === 'crlf-less' ? '\n' : '\r\n';
      let body = parts.map((p) => `--${boundary}${sep}${p}${sep}`).join('') + (shape === 'no-end' ? '' : `--${boundary}--${sep}`);
      if (shape === 'truncated') body = body.slice(0, Math.floor(body.length / 2));
      const contentType = shape === 'wrong-boundary' ? 'multipart/form-data; boundary=other' : shape === 'no-boundary-param' ? 'multipart/form-data' : `multipart/form-data; boundary=${boundary}`;
      return { body, contentType };
    });
}

const uploadTypes = ['audio/wav', 'image/png', 'video/mp4', 'application/octet-stream', 'text/plain', 'image/svg+xml', 'audio/wav; x=1', ''];

function bytesBody(world: FuzzWorld): fc.Arbitrary<{ body: string; contentType: string }> {
  const media = world.sampleMedia.toString('base64');
  return fc.tuple(
    fc.oneof(
      fc.constant(media),
      fc.constant(''),
      fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b).toString('base64')),
      fc.constant(Buffer.from(world.sampleMedia.subarray(0, 100)).toString('base64')),
      fc.constant(Buffer.alloc(512 * 1024).toString('base64')),
    ),
    fc.constantFrom(...uploadTypes),
  ).map(([body, contentType]) => ({ body, contentType }));
}

const callers = (op: Operation): fc.Arbitrary<Caller> =>
  fc.oneof({ weight: 6, arbitrary: fc.constant<Caller>('A') }, { weight: 3, arbitrary: fc.constant<Caller>('B') }, { weight: 4, arbitrary: fc.constant<Caller>('local') }, { weight: 1, arbitrary: fc.constantFrom<Caller>('none', 'junk') });

const otherMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** Requests for one operation of the document. */
export function requestFor(world: FuzzWorld, op: Operation): fc.Arbitrary<FuzzRequest> {
  const path = fc.tuple(...op.params.map((name) => paramValue(world, op, name))).map((values) => {
    let p = op.path;
    op.params.forEach((name, i) => (p = p.replace(`{${name}}`, values[i]!)));
    return p;
  });
  const body: fc.Arbitrary<{ body?: string; bodyBase64?: boolean; contentType?: string }> =
    op.bodyType === 'json'
      ? jsonBody(world, op).map((text) => ({ body: text, contentType: 'application/json' }))
      : op.bodyType === 'multipart'
        ? multipartBody(world, op)
        : op.bodyType === 'bytes'
          ? bytesBody(world).map((b) => ({ ...b, bodyBase64: true }))
          : fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: brokenJsonText.map((text) => ({ body: text, contentType: 'application/json' })) });
  return fc
    .record({
      caller: callers(op),
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom(...otherMethods) }),
      path,
      query: queryString,
      body,
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...contentTypes) }),
      extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 2, arbitrary: extraHeaders }),
    })
    .map(({ caller, method, path: p, query, body: b, contentType, extra }) => {
      const headers: Record<string, string> = { ...extra };
      const type = contentType ?? b.contentType;
      if (type !== undefined && type !== '') headers['content-type'] = type;
      const request: FuzzRequest = { caller, method, url: `${p}${query}`, headers };
      // fetch cannot send a body with GET or HEAD.
      if (b.body !== undefined && method !== 'GET' && method !== 'HEAD') {
        request.body = b.body;
        if (b.bodyBase64) request.bodyBase64 = true;
      }
      return request;
    });
}

/** Requests to routes that do not exist, or with methods the document does not list. */
export function strayRequest(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const paths = fc.oneof(
    fc.constantFrom('/', '/v1', '/v1/', '/api', '/api/', '/api/jobs/', '/api//jobs', '/API/JOBS', '/v1/../api/health', '/api/%2e%2e/api/health', '/api/jobs/%2F', '/webhooks/x', '/webhooks/replicate', '/.env', '/../../etc/passwd', '/api/health/', '/v2/models', `/${'a/'.repeat(500)}`),
    fc.string({ maxLength: 30 }).map((s) => `/api/${encodeComponent(s)}`),
  );
  return fc.record({
    caller: fc.constantFrom<Caller>('A', 'local', 'none'),
    method: fc.constantFrom(...otherMethods),
    url: fc.tuple(paths, queryString).map(([p, q]) => `${p}${q}`),
    headers: fc.constant({}),
  }).map((r) => ({ ...r, ...(r.method === 'POST' || r.method === 'PUT' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) }) as FuzzRequest);
}
