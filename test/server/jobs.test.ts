import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { parseSse, startTestServer, type TestServer } from './helpers.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer({ withModel: false });
});
after(() => t.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

test('a multi-step pipeline: 202, then SSE progress in order ending with the result and its artifacts', async () => {
  const submitted = await post('/api/jobs', { pipeline: 'blessing-card', input: { recipient: 'Ada', seed: 11 } });
  assert.equal(submitted.status, 202);
  const { id } = (await submitted.json()) as { id: string };
  assert.match(id, /^job_/);
  const response = await fetch(`${t.url}/api/jobs/${id}/events`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const events = parseSse(await response.text());
  const names = events.map((e) => e.event);
  assert.equal(names[0], 'job.started');
  assert.deepEqual(names.slice(-2), ['job.completed', 'result']);
  // Steps start and finish in pipeline order: the card needs the verse.
  const steps = events.filter((e) => e.event === 'step.started' || e.event === 'step.completed').map((e) => `${e.event}:${(JSON.parse(e.data) as { stepId: string }).stepId}`);
  assert.deepEqual(steps, ['step.started:verse', 'step.completed:verse', 'step.started:card', 'step.completed:card']);
  const seqs = events.filter((e) => e.id !== undefined).map((e) => Number(e.id));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal(new Set(seqs).size, seqs.length);
  const result = JSON.parse(events.at(-1)!.data) as { status: string; artifacts: { id: string; mimeType: string; labels: unknown[]; url: string }[] };
  assert.equal(result.status, 'completed');
  const image = result.artifacts.find((a) => a.mimeType === 'image/png');
  assert.ok(image && image.labels.length > 0);

  // Replay from Last-Event-ID: only what came after, still ending with the result.
  const replay = parseSse(await (await fetch(`${t.url}/api/jobs/${id}/events`, { headers: { 'last-event-id': String(seqs[1]) } })).text());
  assert.equal(Number(replay[0]!.id), seqs[2]);
  assert.equal(replay.at(-1)!.event, 'result');

  // The artifact download: bytes, type, ETag, disposition, labels, conditional GET, ranges.
  const download = await fetch(`${t.url}${image.url}`);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'image/png');
  assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="[\w.-]+\.png"; filename\*=UTF-8''\S+\.png$/);
  assert.match(download.headers.get('x-shenbi-labels') ?? '', /\w/);
  const bytes = Buffer.from(await download.arrayBuffer());
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  const etag = download.headers.get('etag')!;
  assert.equal((await fetch(`${t.url}${image.url}`, { headers: { 'if-none-match': etag } })).status, 304);
  const partial = await fetch(`${t.url}${image.url}`, { headers: { range: 'bytes=0-7' } });
  assert.equal(partial.status, 206);
  assert.deepEqual(Buffer.from(await partial.arrayBuffer()), bytes.subarray(0, 8));

  const job = (await (await fetch(`${t.url}/api/jobs/${id}`)).json()) as { status: string; steps: { id: string; status: string }[] };
  assert.equal(job.status, 'completed');
  assert.deepEqual(job.steps.map((s) => s.status), ['completed', 'completed']);
  // An ended job cannot be cancelled.
  const cancel = await post(`/api/jobs/${id}/cancel`, {});
  assert.equal(cancel.status, 409);
  assert.equal(((await cancel.json()) as ErrorBody).error.code, 'JOB_NOT_CANCELLABLE');
});

test('a task job: speech through POST /api/jobs, events of a job that already ended still end with the result', async () => {
  const submitted = await post('/api/jobs', { task: 'speech', input: { text: 'Hi there.' } });
  const { id } = (await submitted.json()) as { id: string };
  await t.shenbi.runner.wait(id);
  const events = parseSse(await (await fetch(`${t.url}/api/jobs/${id}/events`)).text());
  assert.equal(events[0]!.event, 'job.started');
  assert.equal(events.at(-1)!.event, 'result');
});

test('a failing job ends its stream with an error event in the OpenAI error shape', async () => {
  const submitted = await post('/api/jobs', { task: 'text', input: { prompt: 'hello', model: 'not-installed-model' } });
  assert.equal(submitted.status, 202);
  const { id } = (await submitted.json()) as { id: string };
  const events = parseSse(await (await fetch(`${t.url}/api/jobs/${id}/events`)).text());
  const last = events.at(-1)!;
  assert.equal(last.event, 'error');
  assert.equal((JSON.parse(last.data) as ErrorBody).error.code, 'MODEL_NOT_FOUND');
});

test('models, pipelines and the OpenAPI document', async () => {
  const pipelines = (await (await fetch(`${t.url}/api/pipelines`)).json()) as { data: { id: string }[] };
  assert.ok(pipelines.data.some((p) => p.id === 'blessing-card'));
  const models = (await (await fetch(`${t.url}/api/models`)).json()) as { installed: unknown[]; catalog: { name: string }[] };
  assert.ok(models.catalog.length > 0);
  const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/api/jobs/{id}/events']?.get);
  const chat = doc.paths['/v1/chat/completions']!.post!.requestBody!.content['application/json']!.schema;
  assert.ok(chat.properties?.messages && chat.properties.response_format, 'chat schema generated from zod');
});

test('pull of an unknown model streams an error event', async () => {
  const events = parseSse(await (await post('/api/models/no-such-model-xyz/pull', {})).text());
  assert.equal(events.at(-1)!.event, 'error');
  assert.equal((JSON.parse(events.at(-1)!.data) as ErrorBody).error.code, 'MODEL_NOT_FOUND');
});

/** POSTs a JSON body in chunked transfer encoding (no Content-Length), in pieces of 64 KiB, on a connection of its own. */
function chunkedPost(path: string, body: string): Promise<{ status: number; body: string }> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    // A refused body is answered before it is all sent; the server may then close mid-upload.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    for (let at = 0; at < body.length; at += 65_536) req.write(body.slice(at, at + 65_536));
    req.end();
  });
}

/** Sends a raw request (fetch would normalise the path). */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { host: url.host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('bad input: 4xx with a clear error body, and the server stays up', async () => {
  const cases: { name: string; response: () => Promise<Response | { status: number; body: string }>; status: number; code: string; param?: string }[] = [
    { name: 'malformed JSON', response: () => post('/api/jobs', '{"task": "speech",'), status: 400, code: 'INVALID_INPUT' },
    { name: 'unknown field', response: () => post('/api/jobs', { task: 'speech', input: { text: 'x' }, extra: 1 }), status: 400, code: 'INVALID_INPUT' },
    { name: 'unknown field in a chat body', response: () => post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }], bogus: true }), status: 400, code: 'INVALID_INPUT' },
    { name: 'bad task input names the path', response: () => post('/api/jobs', { task: 'speech', input: { text: 'x', speed: 99 } }), status: 400, code: 'INVALID_INPUT' },
    { name: 'wrong content type', response: () => fetch(`${t.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'oversize body', response: () => post('/api/jobs', { task: 'speech', input: { text: 'x'.repeat(5 * 1024 * 1024) } }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    // Without a Content-Length the limit is counted as the bytes arrive (middleware/body-limit.ts).
    { name: 'oversize chunked body', response: () => chunkedPost('/api/jobs', JSON.stringify({ task: 'speech', input: { text: 'x'.repeat(5 * 1024 * 1024) } })), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'chunked body within the limit is read and validated', response: () => chunkedPost('/api/jobs', JSON.stringify({ task: 'speech', input: { text: 'x', speed: 99 } })), status: 400, code: 'INVALID_INPUT' },
    { name: 'pipeline file path', response: () => post('/api/jobs', { pipeline: '/etc/passwd.json' }), status: 400, code: 'INVALID_INPUT' },
    { name: 'unknown pipeline', response: () => post('/api/jobs', { pipeline: 'nope' }), status: 404, code: 'UNKNOWN_PIPELINE' },
    { name: 'unknown route', response: () => fetch(`${t.url}/api/nothing-here`), status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'traversal in an artifact id', response: () => rawGet('/api/artifacts/..%2F..%2Fshenbi.db'), status: 400, code: 'INVALID_INPUT' },
    { name: 'traversal, raw dots', response: () => rawGet('/api/artifacts/art_..%2f..%2f..%2fetc%2fpasswd'), status: 400, code: 'INVALID_INPUT' },
    { name: 'well-formed unknown artifact', response: () => fetch(`${t.url}/api/artifacts/art_0000000000000000000000000a`), status: 404, code: 'ARTIFACT_NOT_FOUND' },
    { name: 'unknown job', response: () => fetch(`${t.url}/api/jobs/job_0000000000000000000000000a`), status: 404, code: 'JOB_NOT_FOUND' },
    { name: 'n > 1', response: () => post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }), status: 400, code: 'INVALID_INPUT', param: 'n' },
  ];
  for (const c of cases) {
    const r = await c.response();
    const text = 'body' in r && typeof r.body === 'string' ? r.body : await (r as Response).text();
    assert.equal(r.status, c.status, `${c.name}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as ErrorBody;
    assert.equal(body.error.code, c.code, c.name);
    assert.ok(body.error.message.length > 0 && typeof body.error.type === 'string', c.name);
    if (c.param !== undefined) assert.equal(body.error.param, c.param, c.name);
  }
  assert.equal((await fetch(`${t.url}/api/health`)).status, 200);
});

test('Origin and Host guard on a loopback server: cross-site and rebinding refused, same-origin allowed', async () => {
  const own = new URL(t.url);
  const headersFor = (h: Record<string, string>) => rawGet('/api/pipelines', h);
  assert.equal((await headersFor({ origin: `http://${own.host}` })).status, 200);
  const crossSite = await headersFor({ origin: 'https://evil.example' });
  assert.equal(crossSite.status, 403);
  assert.equal((JSON.parse(crossSite.body) as ErrorBody).error.code, 'ORIGIN_REFUSED');
  // DNS rebinding: the attacker's name resolves to 127.0.0.1, so Host carries it.
  assert.equal((await headersFor({ host: `evil.example:${own.port}` })).status, 403);
  assert.equal((await headersFor({ 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.equal((await headersFor({ origin: 'null' })).status, 403);
});
