import { ShenbiError, fromSerializedError } from '../core/errors.ts';
import { isValidId } from '../core/ids.ts';
import type { Shenbi, RunOptions } from '../shenbi.ts';
import type { JobRecord } from '../store/types.ts';
import type { CliContext } from './context.ts';
import { formatBytes, printJson, printLine } from './output.ts';
import { createProgressView } from './progress-view.ts';

/** Shown with every result: outputs printed in the terminal are AI-generated content too. */
export const AI_NOTICE = '本内容由人工智能生成 (AI-generated)';

/**
 * Runs a job in the foreground: progress on stderr, Ctrl-C cancels it (a second Ctrl-C
 * exits at once), the result on stdout. Failed and cancelled jobs throw their error so the
 * exit status follows the code.
 */
export async function runInForeground(
  ctx: CliContext,
  start: (shenbi: Shenbi, options: RunOptions) => Promise<JobRecord>,
): Promise<void> {
  const shenbi = await ctx.open();
  const view = createProgressView(ctx.output);
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  let job: JobRecord;
  try {
    job = await start(shenbi, { onEvent: (e) => view.onEvent(e), signal: abort.signal });
  } finally {
    process.off('SIGINT', onSigint);
    view.close();
  }
  await reportJob(ctx, shenbi, job);
}

/** Prints a finished job's outputs (artifacts with their files) or throws its error. */
export async function reportJob(ctx: CliContext, shenbi: Shenbi, job: JobRecord): Promise<void> {
  // Outputs are artifact ids, or lists of them (a step that makes several images).
  const artifactIds = Object.values(job.outputs ?? {})
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string => typeof value === 'string' && isValidId(value, 'art'));
  const artifacts = await Promise.all(artifactIds.map((id) => shenbi.store.artifacts.get(id)));
  if (ctx.output.json && job.status === 'completed') {
    const paths = await Promise.all(artifacts.map((a) => shenbi.store.blobs.localPath(a.blobRef)));
    printJson({ job, notice: AI_NOTICE, artifacts: artifacts.map((a, i) => ({ ...a, path: paths[i] })) });
  } else if (job.status === 'completed') {
    printLine(`${job.id} completed`);
    // The terminal is an interactive surface too (GB 45438 §5.1): text shown here is marked, as the files are.
    printLine(`  ${AI_NOTICE}`);
    for (const [name, value] of Object.entries(job.outputs ?? {})) {
      const listed = (Array.isArray(value) ? value : [value]).map((v) => artifacts.find((a) => a.id === v));
      if (listed.some((a) => a === undefined)) {
        printLine(`  ${name}: ${JSON.stringify(value)}`);
      } else {
        for (const artifact of listed as NonNullable<(typeof listed)[number]>[]) {
          printLine(`  ${name}: ${artifact.id}  ${artifact.mimeType}  ${formatBytes(artifact.size)}`);
          printLine(`    ${await shenbi.store.blobs.localPath(artifact.blobRef)}`);
        }
      }
    }
    printLine(`Export one with: shenbi artifacts export ID FILE`);
  }
  // A failed or cancelled job surfaces as its error (with the job id), so the exit status follows its code.
  if (job.status === 'failed') {
    const error = job.error ?? { code: 'JOB_FAILED' as const, message: `Job ${job.id} failed.` };
    throw fromSerializedError({ ...error, details: { ...error.details, jobId: job.id } });
  }
  if (job.status === 'cancelled') throw new ShenbiError('JOB_CANCELLED', `Job ${job.id} was cancelled.`, { details: { jobId: job.id } });
}
