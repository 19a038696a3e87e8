import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TESTDATA } from '../helpers/testdata.ts';
import { parseSse, startTestServer, type TestServer } from './helpers.ts';

/**
 * Tenant isolation over every route that takes an id, enumerated from the OpenAPI document
 * (a new `{id}` route is covered, or refused until classified), and over every task input
 * that takes media: tenant B gets for tenant A's job, artifact, upload, events, download,
 * delete and cancel exactly what it gets for an id that never existed (status and body);
 * A sees its own; a keyless loopback server sees its own; jobs made before keys existed
 * belong to no tenant.
 */

type Kind = 'job' | 'artifact' | 'upload';
interface Resources {
  job: string;
  artifact: string;
  upload: string;
}
interface Caller {
  url: string;
  headers: Record<string, string>;
}

/** Ids that are well formed and exist nowhere. */
const NEVER: Resources = { job: 'job_0000000000000000000000000z', artifact: 'art_0000000000000000000000000z', upload: 'upl_0000000000000000000000000z' };

/** The resource a path parameter names, from the route's path; a route this cannot tell fails the test. */
function kindOf(path: string): Kind | undefined {
  if (path.startsWith('/api/jobs/{id}')) return 'job';
  if (path.startsWith('/api/artifacts/{id}')) return 'artifact';
  if (path.startsWith('/api/uploads/{id}')) return 'upload';
  return undefined;
}

/** Routes with a path parameter that names no tenant's data, and why. Anything else must be classified by kindOf. */
const NOT_TENANT_DATA: Record<string, string> = {
  'POST /api/models/{name}/pull': 'a catalog model name; models are shared by the whole server, and pulling needs the models:pull scope',
};

const media = readFileSync(join(TESTDATA, 'jfk.wav'));
let keyed: TestServer;
let keyless: TestServer;
let A: Caller;
let B: Caller;
let local: Caller;
let preKeyJob: string;
let operations: { method: string; path: string }[];
let tasks: { kind: string; input: { properties?: Record<string, { type?: string; maxLength?: number; enum?: unknown[] }>; required?: string[] } }[];

async function request(caller: Caller, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; type: string }> {
  const r = await fetch(`${caller.url}${path}`, {
    method,
    headers: { ...caller.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') ?? '' };
}

/** Each job a new seed: an input seen before would be answered from the step cache with earlier artifacts. */
let seed = 100;
async function submitJob(caller: Caller): Promise<string> {
  const r = await request(caller, 'POST', '/api/jobs', { pipeline: 'blessing-card', input: { recipient: 'Isolation', seed: seed++ } });
  assert.equal(r.status, 202, r.text);
  return (JSON.parse(r.text) as { id: string }).id;
}

/** A finished job with an artifact, and an upload, owned by `caller`. */
async function resourcesOf(caller: Caller): Promise<Resources> {
  const job = await submitJob(caller);
  const events = parseSse((await request(caller, 'GET', `/api/jobs/${job}/events`)).text);
  const result = JSON.parse(events.at(-1)!.data) as { artifacts: { id: string }[] };
  const upload = await fetch(`${caller.url}/api/uploads?name=jfk.wav`, { method: 'POST', headers: { ...caller.headers, 'content-type': 'audio/wav' }, body: media });
  const uploaded = (await upload.json()) as { id: string };
  assert.equal(upload.status, 201, JSON.stringify(uploaded));
  return { job, artifact: result.artifacts[0]!.id, upload: uploaded.id };
}

const fill = (path: string, ids: Resources) => path.replace('{id}', ids[kindOf(path)!]);
/** A body with the id it names replaced, so two "not found" answers can be compared. */
const anonymized = (text: string, id: string) => text.split(id).join('<ID>');

before(async () => {
  [keyed, keyless] = await Promise.all([startTestServer({ withModel: false }), startTestServer({ withModel: false })]);
  // Made while the keyed server had no keys yet: it belongs to no tenant.
  preKeyJob = await submitJob({ url: keyed.url, headers: {} });
  const keys = keyed.server.server.services.keys;
  const scopes = ['generate', 'jobs:read', 'models:read'] as const;
  A = { url: keyed.url, headers: { authorization: `Bearer ${(await keys.create({ tenant: 'tenant-a', scopes: [...scopes] })).token}` } };
  B = { url: keyed.url, headers: { authorization: `Bearer ${(await keys.create({ tenant: 'tenant-b', scopes: [...scopes] })).token}` } };
  local = { url: keyless.url, headers: {} };
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1_100));
  const doc = JSON.parse((await request(A, 'GET', '/api/openapi.json')).text) as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })));
  tasks = (JSON.parse((await request(local, 'GET', '/api/tasks')).text) as { data: typeof tasks }).data;
});
after(async () => {
  await Promise.all([keyed?.close(), keyless?.close()]);
});

describe('id-taking routes', () => {
  test('every route with a path parameter is classified: it names a job, an artifact or an upload, or is listed as not tenant data', () => {
    const unclassified = operations.filter((op) => op.path.includes('{') && kindOf(op.path) === undefined && NOT_TENANT_DATA[`${op.method} ${op.path}`] === undefined);
    assert.deepEqual(unclassified, [], 'a new route takes an id: teach kindOf what it names (then this matrix checks its tenant isolation)');
    assert.ok(operations.filter((op) => kindOf(op.path) !== undefined).length >= 9, 'the document lists the id routes');
  });

  test("B gets exactly a never-existing id's answer for each of A's resources; A and the keyless server see their own", async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => kindOf(o.path) !== undefined)) {
      const label = `${op.method} ${op.path}`;
      const kind = kindOf(op.path)!;
      // Fresh resources per route: deleting routes must find something to delete.
      const [mine, localOwn] = await Promise.all([resourcesOf(A), resourcesOf(local)]);
      const never = await request(B, op.method, fill(op.path, NEVER));
      for (const [who, caller, ids] of [['B on A\'s', B, mine], ['B on a pre-key', B, { ...mine, job: preKeyJob }], ['A on a pre-key', A, { ...mine, job: preKeyJob }]] as const) {
        if (who.includes('pre-key') && kind !== 'job') continue;
        const foreign = await request(caller, op.method, fill(op.path, ids));
        if (foreign.status !== never.status) failures.push(`${label}: ${who} ${kind} → ${foreign.status} (never-existing → ${never.status}): ${foreign.text.slice(0, 200)}`);
        else if (anonymized(foreign.text, ids[kind]) !== anonymized(never.text, NEVER[kind])) failures.push(`${label}: ${who} ${kind}: body differs from a never-existing id's:\n  ${foreign.text.slice(0, 300)}\n  ${never.text.slice(0, 300)}`);
      }
      if (never.status !== 404) failures.push(`${label}: a never-existing ${kind} → ${never.status}, not 404`);
      // B's attempt changed nothing: A's resources are all still there.
      for (const [k, path] of [['job', `/api/jobs/${mine.job}`], ['artifact', `/api/artifacts/${mine.artifact}/meta`], ['upload', `/api/uploads/${mine.upload}`]] as const) {
        const still = await request(A, 'GET', path);
        if (still.status !== 200) failures.push(`${label}: after B's attempt, A's ${k} answers ${still.status}`);
      }
      for (const [who, caller, ids] of [['A', A, mine], ['keyless local', local, localOwn]] as const) {
        const own = await request(caller, op.method, fill(op.path, ids));
        if (own.status === 404 || own.status >= 500) failures.push(`${label}: ${who} on its own ${kind} → ${own.status}: ${own.text.slice(0, 200)}`);
      }
      // What A owns does not exist on the other server.
      const across = await request(local, op.method, fill(op.path, mine));
      if (across.status !== 404) failures.push(`${label}: the keyless server answers ${across.status} for the keyed server's ${kind}`);
    }
    assert.deepEqual(failures, []);
  });

  test("lists: B's jobs and artifacts hold none of A's, also when B filters by A's job id", async () => {
    const mine = await resourcesOf(A);
    for (const path of ['/api/jobs', '/api/artifacts', `/api/artifacts?job=${mine.job}`, `/api/artifacts?job=${preKeyJob}`]) {
      const r = await request(B, 'GET', path);
      assert.ok(r.status === 200 || r.status === 404, `${path}: ${r.status} ${r.text.slice(0, 200)}`);
      for (const id of [mine.job, mine.artifact, mine.upload, preKeyJob]) assert.ok(!r.text.includes(id), `${path} shows B ${id}: ${r.text.slice(0, 300)}`);
    }
    const own = await request(A, 'GET', `/api/artifacts?job=${mine.job}`);
    assert.ok(own.text.includes(mine.artifact), `A lists its own: ${own.status} ${own.text.slice(0, 300)}`);
  });
});

describe('results shared by the step cache', () => {
  test("B's job with the same input as A's gets its own outputs, readable by B, not A's (no cross-tenant cache hits)", async () => {
    const input = { pipeline: 'blessing-card', input: { recipient: 'Same Input', seed: 11 } };
    const outputs: Record<string, string[]> = {};
    for (const [who, caller] of [['A', A], ['B', B]] as const) {
      const submitted = await request(caller, 'POST', '/api/jobs', input);
      assert.equal(submitted.status, 202, submitted.text);
      const events = parseSse((await request(caller, 'GET', `/api/jobs/${(JSON.parse(submitted.text) as { id: string }).id}/events`)).text);
      outputs[who] = (JSON.parse(events.at(-1)!.data) as { artifacts: { id: string }[] }).artifacts.map((a) => a.id);
      for (const id of outputs[who]!) assert.equal((await request(caller, 'GET', `/api/artifacts/${id}/meta`)).status, 200, `${who} reads its own job's output ${id}`);
    }
    for (const id of outputs.B!) assert.ok(!outputs.A!.includes(id), `B's job answered with A's artifact ${id}: whether A made this input leaks through the cache`);
  });
});

describe('media inputs', () => {
  /** Task fields that take media (artifact ids, uploads, URLs): strings up to a path's length. */
  const mediaFields = () =>
    tasks.flatMap((task) =>
      Object.entries(task.input.properties ?? {})
        .filter(([, schema]) => schema.type === 'string' && schema.maxLength === 4096)
        .map(([field]) => ({ task, field })),
    );

  /** The field set to `value`, other required strings filled with plain words, plus `extra` (an enum choice). */
  function inputWith(task: (typeof tasks)[number], field: string, value: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const input: Record<string, unknown> = {};
    for (const name of task.input.required ?? []) if (task.input.properties?.[name]?.type === 'string') input[name] = 'a lantern festival';
    // Tasks that need a prompt beside their media (a poster's title, a tune's mood) even where it is optional alone.
    if (task.input.properties?.prompt?.type === 'string') input.prompt ??= 'a lantern festival';
    Object.assign(input, extra);
    input[field] = value;
    return input;
  }

  /** Fields only some engines read: image-to-3D runs on a cloud 3D model (no key is needed to be refused at submission). */
  const READ_ONLY_WITH: Record<string, Record<string, unknown>[]> = { '3d.image': [{ model: 'meshy:latest' }] };

  /**
   * Inputs in which the media field is really read: the plain one, then one per value of each
   * enum field (an image `operation`), keeping those where a never-existing id is refused (404).
   * A combination that accepts any id does not read the field, so it says nothing about isolation.
   */
  async function readingVariants(task: (typeof tasks)[number], field: string, kind: 'artifact' | 'upload'): Promise<Record<string, unknown>[]> {
    const candidates: Record<string, unknown>[] = [{}, ...(READ_ONLY_WITH[`${task.kind}.${field}`] ?? [])];
    for (const [name, schema] of Object.entries(task.input.properties ?? {})) for (const value of schema.enum ?? []) candidates.push({ [name]: value });
    // Last, without the filled-in prompt: a field that replaces it (music's own midi file) refuses the two together.
    if (task.input.properties?.prompt !== undefined) candidates.push({ prompt: undefined });
    const reading: Record<string, unknown>[] = [];
    for (const extra of candidates) {
      const never = await request(B, 'POST', '/api/jobs', { task: task.kind, input: inputWith(task, field, NEVER[kind], extra) });
      if (never.status === 202) await request(B, 'POST', `/api/jobs/${(JSON.parse(never.text) as { id: string }).id}/cancel`);
      if (never.status === 404) reading.push(extra);
      if (reading.length >= 2) break;
    }
    return reading;
  }

  test('media fields are found (vision, transcription, image, video, music)', () => {
    const found = mediaFields().map(({ task, field }) => `${task.kind}.${field}`);
    for (const expected of ['vision.image', 'transcription.audio']) assert.ok(found.includes(expected), `${expected} among ${found.join(', ')}`);
  });

  test("naming another tenant's artifact or upload in any media field is answered like a never-existing id; the owner and the keyless server may use their own", async () => {
    const [mine, localOwn] = await Promise.all([resourcesOf(A), resourcesOf(local)]);
    const failures: string[] = [];
    const accepted: { caller: Caller; id: string }[] = [];
    for (const { task, field } of mediaFields()) {
      for (const kind of ['artifact', 'upload'] as const) {
        const variants = await readingVariants(task, field, kind);
        if (variants.length === 0) failures.push(`${task.kind}.${field} = ${kind}: no input found that reads the field (a never-existing ${kind} is never refused)`);
        for (const extra of variants) {
          const label = `${task.kind}.${field} = ${kind} ${JSON.stringify(extra)}`;
          const never = await request(B, 'POST', '/api/jobs', { task: task.kind, input: inputWith(task, field, NEVER[kind], extra) });
          const foreign = await request(B, 'POST', '/api/jobs', { task: task.kind, input: inputWith(task, field, mine[kind], extra) });
          if (foreign.status === 202) failures.push(`${label}: B's job with A's ${kind} was accepted`);
          if (foreign.status !== never.status || anonymized(foreign.text, mine[kind]) !== anonymized(never.text, NEVER[kind])) {
            failures.push(`${label}: A's ${kind} → ${foreign.status} ${foreign.text.slice(0, 200)}; never-existing → ${never.status} ${never.text.slice(0, 200)}`);
          }
          if (never.status !== 404) failures.push(`${label}: a never-existing ${kind} → ${never.status} ${never.text.slice(0, 200)} (expected 404; is the rest of the input valid?)`);
          for (const [who, caller, ids] of [['A', A, mine], ['keyless local', local, localOwn]] as const) {
            const own = await request(caller, 'POST', '/api/jobs', { task: task.kind, input: inputWith(task, field, ids[kind], extra) });
            if (own.status === 202) accepted.push({ caller, id: (JSON.parse(own.text) as { id: string }).id });
            else if (own.status === 404 || own.status === 403) failures.push(`${label}: ${who} naming its own ${kind} → ${own.status} ${own.text.slice(0, 200)}`);
          }
        }
      }
    }
    // Jobs that were accepted have done their part: stop them.
    await Promise.all(accepted.map(({ caller, id }) => request(caller, 'POST', `/api/jobs/${id}/cancel`)));
    assert.deepEqual(failures, []);
  });
});
