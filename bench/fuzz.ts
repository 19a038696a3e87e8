/**
 * Long fuzzing run over every route of the OpenAPI document (the CI run is
 * test/server/fuzz.test.ts): two `shenbi serve` processes (keys for tenants A and B, and a
 * keyless loopback server), fast-check requests per operation, every failing request kept.
 * Prints each class of failure (operation, kind, status/code) with its shortest example,
 * requests per second, and the servers' RSS over the run (first checkpoint → max → last).
 * Run: npm run bench:fuzz   (env: FUZZ_RUNS total requests, default 20000; FUZZ_SEED; FUZZ_ONLY=substring of "METHOD /path")
 */
import { startFuzzSession, type Failure } from '../test/server/fuzz-session.ts';
import { describe } from '../test/server/fuzz-verdict.ts';

const TOTAL = Number(process.env.FUZZ_RUNS ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const ONLY = process.env.FUZZ_ONLY;
const CHECKPOINT_EVERY = 100;
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

const session = await startFuzzSession();
const operations = session.operations.filter((op) => ONLY === undefined || `${op.method} ${op.path}`.includes(ONLY));
const perOperation = Math.max(1, Math.floor(TOTAL / (operations.length + 1)));
console.log(`seed ${SEED}; ${operations.length} operations + stray routes; ~${perOperation} requests each; servers ${session.keyed.url} (keys) ${session.keyless.url} (keyless)`);

const failures: Failure[] = [];
const checkpointFindings: string[] = [];
const started = performance.now();
try {
  for (const [index, op] of [...operations, 'stray' as const].entries()) {
    const label = op === 'stray' ? 'stray routes and methods' : `${op.method} ${op.path}`;
    const before = failures.length;
    for (let done = 0; done < perOperation; done += CHECKPOINT_EVERY) {
      failures.push(...(await session.fuzzOperation(op, { seed: SEED + index * 7919 + done, numRuns: Math.min(CHECKPOINT_EVERY, perOperation - done), mode: 'collect' })));
      const found = await session.checkpoint();
      checkpointFindings.push(...found.map((f) => `${label}: ${f.kind}: ${f.detail.slice(0, 400)}`));
      if (session.keyed.exited() !== null || session.keyless.exited() !== null) throw new Error(`a server died: ${found.map((f) => f.detail).join('; ')}`);
    }
    const last = session.rss.at(-1)!;
    console.log(`${label.padEnd(36)} failing ${String(failures.length - before).padStart(4)}  rss ${mb(last.keyed)} / ${mb(last.keyless)}  (${session.sent} sent, ${Math.round(session.sent / ((performance.now() - started) / 1000))}/s)`);
  }
} finally {
  await session.close();
}

const classes = new Map<string, Failure[]>();
for (const failure of failures) {
  for (const finding of failure.findings) {
    const status = /^(\d{3}) (\w+)/.exec(finding.detail);
    const key = `${failure.operation} · ${finding.kind}${status ? ` · ${status[1]} ${status[2]}` : ''}`;
    classes.set(key, [...(classes.get(key) ?? []), failure]);
  }
}
console.log(`\n${session.sent} requests in ${Math.round((performance.now() - started) / 1000)} s; ${failures.length} failing, ${classes.size} classes; ${session.keepAliveDrops} failed on a reused keep-alive socket and were sent again on a new one`);
for (const [key, list] of classes) {
  const shortest = [...list].sort((a, b) => describe(a.request).length - describe(b.request).length)[0]!;
  console.log(`\n[${list.length}×] ${key}\n  e.g. ${describe(shortest.request).slice(0, 600)}\n  → ${shortest.findings.map((f) => f.detail).join(' | ').slice(0, 600)}`);
}
if (checkpointFindings.length > 0) console.log(`\nbetween batches:\n${[...new Set(checkpointFindings)].slice(0, 50).join('\n')}`);
const keyedRss = session.rss.map((s) => s.keyed);
const keylessRss = session.rss.map((s) => s.keyless);
console.log(`\nRSS keyed ${mb(keyedRss[0]!)} → max ${mb(Math.max(...keyedRss))} → last ${mb(keyedRss.at(-1)!)}; keyless ${mb(keylessRss[0]!)} → max ${mb(Math.max(...keylessRss))} → last ${mb(keylessRss.at(-1)!)}`);
process.exitCode = failures.length > 0 || checkpointFindings.length > 0 ? 1 : 0;
