import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';
import { sweepWorkDirs, workRootOf } from '../../fs/work-dir.ts';
import type { ReclaimReport } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { formatBytes, printJson, printLine } from '../output.ts';

/** Default grace of `shenbi gc`: blobs written or re-put within it are kept. */
export const GC_DEFAULT_GRACE_SECONDS = 600;

const gcOptions = z.object({ olderThan: z.coerce.number().int().min(0).default(GC_DEFAULT_GRACE_SECONDS) });

/** One line a person reads after a delete or a sweep. */
export function describeReclaim(report: ReclaimReport): string {
  const deleted = report.deletedArtifacts.length > 0 ? `deleted ${report.deletedArtifacts.length} artifact(s); ` : '';
  const kept = report.blobsKept > 0 ? `, kept ${report.blobsKept} recent unreferenced blob(s)` : '';
  return `${deleted}reclaimed ${report.blobsRemoved} blob(s), ${formatBytes(report.bytesReclaimed)}${kept}`;
}

/** `shenbi gc`: removes blob files no artifact references any more, abandoned temp files, and dead processes' work folders. */
export function registerGc(program: Command, ctx: CliContext): void {
  program
    .command('gc')
    .description('reclaim disk space: remove blobs no artifact references any more, temp files of dead writers, and work folders of dead processes')
    .option('--older-than <seconds>', 'only blobs unchanged for this long (protects writes in flight)', String(GC_DEFAULT_GRACE_SECONDS))
    .action(async (raw: { olderThan?: string }) => {
      const { olderThan } = parseOrThrow(gcOptions, raw, 'options');
      const shenbi = await ctx.open();
      const report = await shenbi.store.artifacts.sweepUnreferencedBlobs({ olderThanMs: olderThan * 1000 });
      const tempFilesRemoved = await shenbi.store.blobs.sweepTemp();
      const work = await sweepWorkDirs(workRootOf(shenbi.config.home));
      if (ctx.output.json) return printJson({ ...report, tempFilesRemoved, workDirsRemoved: work.removed, workDirsKept: work.kept });
      printLine(describeReclaim(report));
      printLine(`removed ${tempFilesRemoved} abandoned temp file(s)`);
      printLine(`removed ${work.removed} work folder(s) of dead processes${work.kept > 0 ? `, kept ${work.kept} in use` : ''}`);
    });
}
