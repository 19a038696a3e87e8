/**
 * Job runner benchmark: `node --import tsx bench/jobs.ts [jobs]`.
 * On a file-backed SQLite store in a temp dir it measures (a) throughput of N jobs of a
 * 3-step pipeline of trivial steps submitted at once, (b) the runner's overhead per step
 * against calling the same step functions directly, and (c) a re-run with the cache on,
 * where every step is a cache hit. Prints a table with targets and pass/fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PipelineSpecInput } from '../src/core/pipeline.ts';
import type { StepContext, StepDefinition } from '../src/core/step.ts';
import { implicitLabelRecord } from '../src/governance/implicit-record.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import { StepRegistry } from '../src/jobs/step-registry.ts';
import { openStore, type OpenedStore } from '../src/store/index.ts';
import { printTable } from './print-table.ts';

const JOBS = Number(process.argv[2] ?? 2000);
const STEPS_PER_JOB = 3;

let engineCalls = 0;

function trivialStep(type: string, cacheable: boolean): StepDefinition {
  return {
    type,
    title: type,
    version: '1',
    cacheable,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    async run(_ctx, inputs) {
      engineCalls += 1;
      return { value: (inputs.value as number) + 1 };
    },
  };
}

function pipeline(prefix: string): PipelineSpecInput {
  return {
    id: `bench-${prefix}`,
    title: 'Three trivial steps',
    inputs: { x: { type: 'number' } },
    steps: [
      { id: 'a', uses: `${prefix}.a`, with: { value: { $from: 'inputs.x' } } },
      { id: 'b', uses: `${prefix}.b`, with: { value: { $from: 'a.value' } } },
      { id: 'c', uses: `${prefix}.c`, with: { value: { $from: 'b.value' } } },
    ],
    outputs: { value: { $from: 'c.value' } },
  };
}

/** Submits `count` jobs at once and waits for all; returns elapsed ms. */
async function runBatch(runner: JobRunner, spec: PipelineSpecInput, count: number, inputOf: (i: number) => number): Promise<number> {
  const started = performance.now();
  const submitted = await Promise.all(Array.from({ length: count }, (_, i) => runner.submit(spec, { x: inputOf(i) })));
  const done = await Promise.all(submitted.map((job) => runner.wait(job.id)));
  const elapsed = performance.now() - started;
  const bad = done.filter((job, i) => job.status !== 'completed' || job.outputs?.value !== inputOf(i) + STEPS_PER_JOB);
  if (bad.length > 0) throw new Error(`${bad.length} jobs did not complete correctly, e.g. ${JSON.stringify(bad[0])}`);
  return elapsed;
}

/** The same three step functions called directly, in a loop, `count` times. */
async function runDirect(steps: StepDefinition[], count: number): Promise<number> {
  const ctx = {} as StepContext;
  const started = performance.now();
  let sink = 0;
  for (let i = 0; i < count; i++) {
    let value = i;
    for (const step of steps) value = (await step.run(ctx, { value })).value as number;
    sink += value;
  }
  const elapsed = performance.now() - started;
  if (sink < 0) throw new Error('unreachable');
  return elapsed;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-bench-jobs-'));
  let store: OpenedStore | undefined;
  let runner: JobRunner | undefined;
  try {
    store = await openStore({ database: `sqlite:${join(dir, 'bench.db')}`, blobsDir: join(dir, 'blobs'), governance: implicitLabelRecord('Shenbi') });
    const plain = ['a', 'b', 'c'].map((s) => trivialStep(`plain.${s}`, false));
    const cached = ['a', 'b', 'c'].map((s) => trivialStep(`cached.${s}`, true));
    runner = new JobRunner({ store, steps: new StepRegistry([...plain, ...cached]) });

    // Warm-up: JIT, prepared statements, SQLite pages.
    await runBatch(runner, pipeline('plain'), 200, (i) => -i - 1);
    await runDirect(plain, 2000);

    engineCalls = 0;
    const plainMs = await runBatch(runner, pipeline('plain'), JOBS, (i) => i);
    const plainCalls = engineCalls;
    const directMs = await runDirect(plain, JOBS);

    // Sequential latency: one job at a time, so per-step cost is not hidden by overlap.
    const sequentialJobs = Math.min(300, JOBS);
    const seqStarted = performance.now();
    for (let i = 0; i < sequentialJobs; i++) {
      const job = await runner.submit(pipeline('plain'), { x: i });
      await runner.wait(job.id);
    }
    const seqMs = performance.now() - seqStarted;

    const cachedSpec = pipeline('cached');
    await runBatch(runner, cachedSpec, JOBS, (i) => i); // fills the cache
    engineCalls = 0;
    const cachedMs = await runBatch(runner, cachedSpec, JOBS, (i) => i); // every step a hit
    const cachedCalls = engineCalls;

    const throughput = JOBS / (plainMs / 1000);
    const runnerStepUs = (plainMs * 1000) / (JOBS * STEPS_PER_JOB);
    const directStepUs = (directMs * 1000) / (JOBS * STEPS_PER_JOB);
    const overheadUs = runnerStepUs - directStepUs;
    const seqStepUs = (seqMs * 1000) / (sequentialJobs * STEPS_PER_JOB);
    const cachedThroughput = JOBS / (cachedMs / 1000);

    const rows: Array<[string, string, string, string]> = [
      [`throughput, ${JOBS} jobs × ${STEPS_PER_JOB} trivial steps, submitted at once`, `${throughput.toFixed(0)} jobs/s`, '≥ 1,000 jobs/s', throughput >= 1000 ? 'pass' : 'FAIL'],
      ['runner time per step (throughput run)', `${runnerStepUs.toFixed(1)} µs`, '', ''],
      ['direct call per step (same functions, loop)', `${directStepUs.toFixed(2)} µs`, '', ''],
      ['runner overhead per step', `${overheadUs.toFixed(1)} µs`, '≤ 1,000 µs', overheadUs <= 1000 ? 'pass' : 'FAIL'],
      ['ratio runner / direct per step', `${(runnerStepUs / directStepUs).toFixed(0)}×`, '', ''],
      [`latency per step, ${sequentialJobs} jobs one at a time`, `${seqStepUs.toFixed(1)} µs`, '≤ 1,000 µs', seqStepUs <= 1000 ? 'pass' : 'FAIL'],
      [`cache on, re-run of ${JOBS} jobs (all hits)`, `${cachedThroughput.toFixed(0)} jobs/s`, '≥ 1,000 jobs/s', cachedThroughput >= 1000 ? 'pass' : 'FAIL'],
      ['engine calls: plain run / cached re-run', `${plainCalls} / ${cachedCalls}`, `${JOBS * STEPS_PER_JOB} / 0`, plainCalls === JOBS * STEPS_PER_JOB && cachedCalls === 0 ? 'pass' : 'FAIL'],
    ];
    printTable(['metric', 'measured', 'target', 'result'], rows);
    console.log(`\nNode ${process.version}, ${availableParallelism()} cores, SQLite file store (WAL) in ${tmpdir()}.`);
    if (rows.some((row) => row[3] === 'FAIL')) process.exitCode = 1;
  } finally {
    await runner?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
