import type { Command } from 'commander';
import { z } from 'zod';
import { DEFAULT_JOB_TIMINGS } from '../../config/job-timings.ts';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { detectGpu } from '../../jobs/gpu.ts';
import { LANES, laneSchema, type Lane } from '../../jobs/lanes.ts';
import { warmUpWanted, type CliContext } from '../context.ts';
import { collect } from '../input.ts';
import { printJson, printLine } from '../output.ts';
import { untilStopSignal } from '../stop-signal.ts';

const workerOptions = z.object({
  lanes: z
    .string()
    .optional()
    .transform((raw) => raw?.split(',').map((lane) => lane.trim()).filter(Boolean))
    .pipe(z.array(laneSchema).min(1).optional()),
  concurrency: z.array(z.string().regex(/^[a-z0-9]+=\d+$/, 'LANE=N, e.g. video=2')),
  grace: z.coerce.number().int().min(0).max(86_400),
});

/** `--concurrency video=2 --concurrency speech=4` → { video: 2, speech: 4 }. */
function parseConcurrency(pairs: readonly string[]): Partial<Record<Lane, number>> {
  const out: Partial<Record<Lane, number>> = {};
  for (const pair of pairs) {
    const [name = '', count = ''] = pair.split('=');
    const lane = parseOrThrow(laneSchema, name, '--concurrency lane');
    out[lane] = parseOrThrow(z.coerce.number().int().min(1).max(256), count, `--concurrency ${lane}`);
  }
  return out;
}

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('run jobs from the shared queue (config "queue" or SHENBI_QUEUE); serves nothing over HTTP')
    .option('--lanes <list>', `lanes to take, comma-separated (${LANES.join(', ')}; default: config worker.lanes, else all)`)
    .option('--concurrency <lane=n>', 'jobs of a lane at once (repeatable)', collect, [])
    .option('--grace <seconds>', 'on SIGTERM, let running jobs finish this long before handing them back', '30')
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOrThrow(workerOptions, raw, 'options');
      const config = await ctx.config();
      const scaleOut = config.scaleOut;
      if (scaleOut?.queue == null) {
        throw new ShenbiError('CONFIG_INVALID', 'A worker needs a shared queue: set "queue": "redis://HOST:6379" in config.json or SHENBI_QUEUE.', {
          hint: 'See docs/deploy.md. Without a shared queue, `shenbi serve` runs its own jobs.',
        });
      }
      const worker = {
        lanes: options.lanes ?? scaleOut.worker.lanes,
        concurrency: { ...scaleOut.worker.concurrency, ...parseConcurrency(options.concurrency) },
      };
      // Warm: the speech runner and the signer start now, not with the first job (SHENBI_WARM_UP=0 skips).
      const shenbi = await ctx.open({ runsJobs: true, followsEvents: false, warm: warmUpWanted(), overrides: { scaleOut: { ...scaleOut, worker } } });
      const [{ createLogger }, { attachJobLogs }, { JobInfoCache }] = await Promise.all([import('../../core/log.ts'), import('../../jobs/job-logs.ts'), import('../../jobs/job-info.ts')]);
      // One JSON line per job start and end on stderr (SHENBI_LOG_LEVEL), with the worker's owner id.
      const detachLogs = attachJobLogs(shenbi.runner, createLogger({ base: { service: 'worker', owner: shenbi.runner.owner } }), new JobInfoCache(shenbi.store.jobs, (jobId) => shenbi.runner.held(jobId)));
      // Jobs of dead processes (a worker killed mid-step) are taken up once their leases go stale.
      const stopRecovering = shenbi.runner.recoverContinuously((shenbi.config.jobs ?? DEFAULT_JOB_TIMINGS).recoverEveryMs);
      const ready = {
        worker: true,
        owner: shenbi.runner.owner,
        lanes: worker.lanes,
        concurrency: Object.fromEntries(worker.lanes.map((lane) => [lane, worker.concurrency[lane]])),
        gpu: detectGpu(),
        pid: process.pid,
      };
      if (ctx.output.json) printJson(ready);
      else printLine(`Shenbi worker ${ready.owner}: lanes ${worker.lanes.map((lane) => `${lane}×${worker.concurrency[lane]}`).join(', ')}; GPU ${ready.gpu === null ? 'none' : ready.gpu.devices.join(', ')}`);
      await untilStopSignal();
      await stopRecovering();
      await shenbi.runner.drain(options.grace * 1000);
      detachLogs();
    });
}
