import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { once } from 'node:events';
import type { Command } from 'commander';
import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import type { ChainVerification } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

/** One line for people: what verified, and where the chain breaks if it does. */
export function describeChain(v: ChainVerification): string {
  const unrecorded = v.unrecordedArtifacts > 0 ? `; ${v.unrecordedArtifacts} artifact(s) have no ledger entry` : '';
  if (v.firstBroken !== undefined) {
    return `BROKEN at seq ${v.firstBroken.seq} (${v.firstBroken.reason}${v.firstBroken.artifactId ? `, ${v.firstBroken.artifactId}` : ''}); ${v.entries} entries verified before it${unrecorded}`;
  }
  return `${v.ok ? 'ok' : 'INCOMPLETE'}: ${v.entries} entries, head ${v.head.entryHash}${unrecorded}`;
}

/** LEDGER_BROKEN carrying the verification, so --json callers get it in error.details. */
export function ledgerBrokenError(v: ChainVerification): ShenbiError {
  return new ShenbiError('LEDGER_BROKEN', `The provenance ledger does not verify: ${describeChain(v)}.`, {
    details: { verification: v },
    hint: 'Restore the database from a backup, or compare against an exported ledger (shenbi ledger export).',
  });
}

export function registerLedger(program: Command, ctx: CliContext): void {
  const ledger = program.command('ledger').description('the hash-chained provenance ledger: verify and export');

  ledger
    .command('verify')
    .description('recompute every entry hash and link; exits non-zero (LEDGER_BROKEN) if any entry was edited or removed')
    .action(async () => {
      const shenbi = await ctx.open();
      const verification = await shenbi.store.ledger.verifyChain();
      if (!verification.ok) throw ledgerBrokenError(verification);
      if (ctx.output.json) return printJson(verification);
      printLine(describeChain(verification));
    });

  ledger
    .command('export')
    .description('write the ledger as JSON lines (one entry per line, in seq order)')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: { out?: string }) => {
      const shenbi = await ctx.open();
      const lines = shenbi.store.ledger.export();
      if (options.out === undefined) {
        for await (const line of lines) process.stdout.write(`${line}\n`);
        return;
      }
      const target = resolve(options.out);
      const temp = `${target}.${process.pid}.tmp`;
      let count = 0;
      try {
        const out = createWriteStream(temp, { flags: 'wx' });
        for await (const line of lines) {
          if (!out.write(`${line}\n`)) await once(out, 'drain');
          count++;
        }
        out.end();
        await once(out, 'finish');
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw toShenbiError(error, 'STORAGE_ERROR');
      }
      if (ctx.output.json) return printJson({ path: target, entries: count });
      if (!ctx.output.quiet) process.stderr.write(`${count} entries → ${target}\n`);
    });
}
