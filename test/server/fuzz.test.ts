import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { operationKey, type FuzzRequest } from './fuzz-requests.ts';
import { startFuzzSession, type FuzzSession } from './fuzz-session.ts';
import { describe as describeRequest, documentedStatus, send } from './fuzz-verdict.ts';

/**
 * Property-based fuzzing of every operation in the OpenAPI document (fast-check, fixed seed,
 * a few hundred requests) against two `shenbi serve` processes: keys for tenants A and B, and
 * a keyless loopback server. Every answer must be a documented status (no 5xx but the codes'
 * own, never INTERNAL) with the `{ error: { code, message } }` shape, carry no server path or
 * stack trace, and both servers must stay alive with bounded memory. The long run is
 * `npm run bench:fuzz`. A failure found here is shrunk by fast-check; keep it below as a
 * plain regression example once fixed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 15);
/** Requests per operation in CI (~28 operations). */
const RUNS = Number(process.env.FUZZ_RUNS_PER_OPERATION ?? 12);
/** How much either server's RSS may grow over the run, after its first checkpoint. */
const RSS_GROWTH_LIMIT = 512 * 1024 * 1024;

/**
 * Failures the fuzzer found (shrunk), kept as plain requests. `{A.job}`, `{A.artifact}` and
 * `{A.upload}` (also B, local) stand for the session's real resources.
 */
const REGRESSIONS: { name: string; request: FuzzRequest; expectStatus?: number }[] = [
  // Unknown query keys reached zod's .parse as a raw ZodError: 500 INTERNAL.
  { name: 'unknown bare query key on GET /api/jobs', request: { caller: 'local', method: 'GET', url: '/api/jobs?job', headers: {} } },
  { name: 'prototype keys in the query of GET /api/artifacts', request: { caller: 'local', method: 'GET', url: '/api/artifacts?__proto__&constructor', headers: {} } },
  { name: 'junk query on POST /api/uploads', request: { caller: 'B', method: 'POST', url: '/api/uploads?constructor=%5B%5D', headers: { 'content-type': 'audio/wav' }, body: 'UklGRgAAAABXQVZF', bodyBase64: true } },
  { name: 'junk query on HEAD /api/artifacts', request: { caller: 'A', method: 'HEAD', url: '/api/artifacts?model&job', headers: {} } },
  // Malformed multipart on /v1/audio/transcriptions: "Failed to parse body as FormData", 500.
  {
    name: 'multipart part without a closing boundary',
    request: { caller: 'B', method: 'POST', url: '/v1/audio/transcriptions', headers: { 'content-type': 'multipart/form-data; boundary=fuzzb' }, body: '--fuzzb\r\nContent-Disposition: form-data; name="model"\r\n\r\nhello\r\n--fuzzb\r\nContent-Disposition: form-data; name="' },
  },
  // An object 5,000 deep in a pipeline's input overflowed the stack: 500 "Maximum call stack size exceeded".
  {
    name: 'pipeline input nested 5,000 deep',
    request: { caller: 'A', method: 'POST', url: '/api/jobs', headers: { 'content-type': 'application/json' }, body: `{"pipeline":"blessing-card","input":{"recipient":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}}` },
  },
  { name: 'pipeline spec nested 5,000 deep', request: { caller: 'local', method: 'POST', url: '/api/jobs', headers: { 'content-type': 'application/json' }, body: `{"pipeline":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}` } },
  // A keyed caller's relative media path was read from the server's working folder, and the job's error named the absolute path.
  { name: 'relative media path from a key (job error must not name the server path)', request: { caller: 'A', method: 'POST', url: '/api/jobs', headers: { 'content-type': 'application/json' }, body: '{"task":"video","input":{"source":"x.mp4","operation":"cover"}}' } },
  // A range past the end was 400 INVALID_INPUT; HTTP says 416.
  { name: 'unsatisfiable Range', request: { caller: 'A', method: 'GET', url: '/api/artifacts/{A.artifact}', headers: { range: 'bytes=999999999-' } }, expectStatus: 416 },
];

let session: FuzzSession;
before(async () => {
  session = await startFuzzSession();
});
after(async () => {
  await session?.close();
});

/** Fills `{A.job}`-style placeholders with the session's real ids. */
function resolved(request: FuzzRequest): FuzzRequest {
  const fill = (text: string) => text.replace(/\{(A|B|local)\.(job|artifact|upload)\}/g, (_m, who: string, kind: 'job' | 'artifact' | 'upload') => session.world.resources[who]![kind]);
  return { ...request, url: fill(request.url), ...(request.body === undefined ? {} : { body: fill(request.body) }) };
}

test('the OpenAPI document lists the routes the fuzzer covers', () => {
  const keys = session.operations.map(operationKey);
  for (const expected of ['POST /api/jobs', 'GET /api/jobs/{id}/events', 'GET /api/artifacts/{id}', 'POST /api/uploads', 'POST /v1/chat/completions', 'POST /v1/audio/transcriptions']) {
    assert.ok(keys.includes(expected), `${expected} among ${keys.join(', ')}`);
  }
  assert.ok(documentedStatus('MODEL_NOT_INSTALLED', 424) && documentedStatus('ENGINE_UNAVAILABLE', 501) && !documentedStatus('INTERNAL', 500));
});

test('every operation of the OpenAPI document, fuzzed', async (t) => {
  for (const [index, op] of [...session.operations, 'stray' as const].entries()) {
    const name = op === 'stray' ? 'stray routes and methods' : operationKey(op);
    await t.test(name, async () => {
      const failures = await session.fuzzOperation(op, { seed: SEED + index, numRuns: RUNS, mode: 'stop', timeLimitMs: 30_000 });
      const between = await session.checkpoint();
      const report = [
        ...failures.map((f) => `counterexample (seed ${SEED + index}): ${describeRequest(f.request)}\n  request: ${JSON.stringify(f.request).slice(0, 2_000)}\n  ${f.findings.map((x) => `${x.kind}: ${x.detail}`).join('\n  ')}`),
        ...between.map((f) => `after the batch: ${f.kind}: ${f.detail}`),
      ];
      assert.deepEqual(report, [], `${name}: add the shrunk request to REGRESSIONS once fixed`);
    });
  }
  assert.equal(session.keyed.exited(), null, 'the keyed server is alive');
  assert.equal(session.keyless.exited(), null, 'the keyless server is alive');
});

test('memory stays bounded over the run', () => {
  assert.ok(session.rss.length >= 2, 'RSS was sampled');
  for (const which of ['keyed', 'keyless'] as const) {
    const samples = session.rss.map((s) => s[which]);
    const growth = Math.max(...samples) - samples[0]!;
    assert.ok(growth < RSS_GROWTH_LIMIT, `${which} server grew ${Math.round(growth / 1024 / 1024)} MB (samples: ${samples.map((b) => Math.round(b / 1024 / 1024)).join(', ')} MB)`);
  }
});

test('regression examples found by the fuzzer', async (t) => {
  for (const { name, request, expectStatus } of REGRESSIONS) {
    await t.test(name, async () => {
      const filled = resolved(request);
      const findings = await session.probe(filled);
      const between = await session.checkpoint();
      assert.deepEqual([...findings, ...between].map((f) => `${f.kind}: ${f.detail}`), [], describeRequest(filled));
      if (expectStatus !== undefined) {
        const response = await send(session.targets, filled);
        assert.equal(response.status, expectStatus, `${describeRequest(filled)} → ${response.status} ${response.text.slice(0, 300)}`);
      }
    });
  }
});
