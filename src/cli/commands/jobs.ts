import type { Command } from 'commander';
import { z } from 'zod';
import type { JobStatus } from '../../core/progress.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { CliContext } from '../context.ts';
import { runInForeground } from '../job-report.ts';
import { printJson, printLine, printTable } from '../output.ts';
import { createProgressView } from '../progress-view.ts';
import { describeReclaim } from './gc.ts';

const listOptions = z.object({
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(50),
});

export function registerJobs(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description('list, inspect, cancel and recover jobs');

  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--status <status>', 'queued, running, completed, failed or cancelled')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (raw: { status?: string; limit?: string }) => {
      const options = parseOrThrow(listOptions, raw, 'options');
      const shenbi = await ctx.open();
      const list = await shenbi.store.jobs.list({ ...(options.status ? { status: options.status as JobStatus } : {}), limit: options.limit });
      if (ctx.output.json) return printJson(list);
      printTable(
        ['ID', 'PIPELINE', 'STATUS', 'CREATED', 'ERROR'],
        list.map((j) => [j.id, j.pipelineId, j.status, j.createdAt, j.error?.code]),
      );
    });

  jobs
    .command('show')
    .description('show a job and its steps')
    .argument('<id>')
    .action(async (id: string) => {
      const shenbi = await ctx.open();
      const job = await shenbi.store.jobs.get(id);
      const steps = await shenbi.store.jobs.steps(id);
      if (ctx.output.json) return printJson({ job, steps });
      printLine(`${job.id}  ${job.pipelineId}  ${job.status}`);
      printLine(`created ${job.createdAt}${job.finishedAt ? `, finished ${job.finishedAt}` : ''}${job.recoveries > 0 ? `, recovered ${job.recoveries}×` : ''}`);
      if (job.error) printLine(`error[${job.error.code}]: ${job.error.message}`);
      printLine(`input: ${JSON.stringify(job.input)}`);
      printTable(
        ['STEP', 'STATUS', 'ATTEMPTS', 'OUTPUTS / ERROR'],
        steps.map((s) => [s.stepId, s.status, s.attempts, s.error ? `[${s.error.code}] ${s.error.message}` : JSON.stringify(s.outputs ?? {})]),
      );
      if (job.outputs) printLine(`outputs: ${JSON.stringify(job.outputs)}`);
    });

  jobs
    .command('cancel')
    .description('cancel a queued or running job')
    .argument('<id>')
    .action(async (id: string) => {
      const shenbi = await ctx.open();
      await shenbi.runner.cancel(id);
      const job = await shenbi.store.jobs.get(id);
      if (ctx.output.json) return printJson(job);
      printLine(`${job.id} ${job.status}`);
    });

  jobs
    .command('recover')
    .description('resume jobs whose runner died (crash, kill -9) and run them to the end, or fail them with a reason')
    .action(async () => {
      const shenbi = await ctx.open();
      const report = await shenbi.runner.recover();
      const view = createProgressView(ctx.output);
      // Resumed jobs run in this process: stay until they end, or closing would requeue them.
      const results = [];
      try {
        for (const id of report.resumed) {
          const job = await shenbi.follow(id, { onEvent: (e) => view.onEvent(e) });
          results.push({ id: job.id, status: job.status, code: job.error?.code ?? null });
        }
      } finally {
        view.close();
      }
      if (ctx.output.json) return printJson({ ...report, results });
      printLine(`removed ${report.tempFilesRemoved} abandoned temp file(s)`);
      if (report.workDirsRemoved > 0) printLine(`removed ${report.workDirsRemoved} work folder(s) of dead processes`);
      for (const r of results) printLine(`${r.id} resumed → ${r.status}${r.code ? ` [${r.code}]` : ''}`);
      for (const f of report.failed) printLine(`${f.id} failed [${f.code}]: ${f.reason}`);
      if (report.resumed.length === 0 && report.failed.length === 0) printLine('no interrupted jobs');
    });

  jobs
    .command('rm')
    .description("delete a finished job's artifacts and reclaim their space; the job record stays (history)")
    .argument('<id>')
    .action(async (id: string) => {
      const shenbi = await ctx.open();
      const report = await shenbi.store.artifacts.deleteByJob(id);
      if (ctx.output.json) return printJson({ jobId: id, ...report });
      printLine(`${id}: ${describeReclaim(report)}`);
    });

  jobs
    .command('wait')
    .description('follow a job until it ends, with progress')
    .argument('<id>')
    .action(async (id: string) => {
      await runInForeground(ctx, (shenbi, run) => shenbi.follow(id, run));
    });

}
