import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { EXIT, ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { LabelVerification } from '../../governance/verify/verify-bytes.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

const optionsSchema = z.object({
  require: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? [] : value.split(',').map((r) => r.trim())))
    .pipe(z.array(z.enum(['implicit', 'c2pa', 'trusted']))),
  trustAnchor: z.array(z.string()).default([]),
  localCa: z.boolean().default(true),
});

export interface FileReport extends LabelVerification {
  readonly file: string;
}

/**
 * `shenbi verify FILE...`: every AI label each file carries, for scripts and CI. Exit 0 when
 * every file is labeled and nothing is invalid; 4 when any file is unlabeled, fails a
 * `--require`, or carries an invalid label (tampered C2PA, malformed AIGC JSON); 7 when the
 * labels are all present and valid and only `--require trusted` failed (UNTRUSTED: a signer
 * this machine does not trust, e.g. another Shenbi home's).
 */
export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description('report the AI labels of any files: AIGC implicit label, IPTC source type, C2PA state (Trusted / Valid / Invalid)')
    .argument('<files...>')
    .option('--require <list>', 'also demand, per file: implicit, c2pa, trusted (comma-separated)')
    .option('--trust-anchor <pem>', 'a CA certificate (PEM) C2PA signers may chain to; repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .option('--no-local-ca', "do not trust this Shenbi home's own CA ($SHENBI_HOME/keys/ca.pem)")
    .action(async (files: string[], raw: { require?: string; trustAnchor?: string[]; localCa?: boolean }) => {
      const options = parseOrThrow(optionsSchema, raw, 'options');
      // The verifiers (C2PA WASM, image and audio decoders) load when `verify` runs, not for `shenbi --help`.
      const [{ KEY_FILES }, { verifyLabels }] = await Promise.all([import('../../governance/c2pa/keys.ts'), import('../../governance/verify/verify-bytes.ts')]);
      const anchors: string[] = [];
      for (const path of options.trustAnchor) anchors.push(await readFile(resolve(path), 'utf8'));
      const localCa = join((await ctx.config()).c2pa.keysDir, KEY_FILES.caCertificate);
      if (options.localCa && existsSync(localCa)) anchors.push(await readFile(localCa, 'utf8'));

      const reports: FileReport[] = [];
      for (const file of files) {
        const path = resolve(file);
        const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
          throw new ShenbiError('INVALID_INPUT', `cannot read ${path}: ${error.code ?? error.message}`, { details: { file: path } });
        });
        reports.push({ file: path, ...(await verifyLabels(bytes, { trustAnchors: anchors, require: options.require })) });
      }
      const failed = reports.filter((r) => r.verdict !== 'labeled');
      const unlabeled = failed.filter((r) => r.verdict !== 'untrusted');
      ctx.exitStatus = failed.length === 0 ? EXIT.ok : unlabeled.length === 0 ? EXIT.untrusted : EXIT.failed;
      if (ctx.output.json) return printJson({ ok: failed.length === 0, files: reports });
      for (const r of reports) printReport(r);
      const untrusted = failed.length - unlabeled.length;
      printLine(
        failed.length === 0
          ? `all ${reports.length} labeled`
          : [unlabeled.length > 0 ? `${unlabeled.length} of ${reports.length} not labeled or invalid` : '', untrusted > 0 ? `${untrusted} of ${reports.length} labeled (valid) but signed by an untrusted signer` : ''].filter(Boolean).join('; '),
      );
    });
}

function printReport(r: FileReport): void {
  printLine(`${r.verdict.toUpperCase()}  ${r.file}  (${r.mimeType})`);
  const label = r.implicit.label;
  printLine(
    r.implicit.marker !== null
      ? `  AIGC implicit: the format holds only a short marker, found in ${r.implicit.marker.placement}: "${r.implicit.marker.text}" (the full label is in the producer's store and ledger)`
      : r.container === 'stl'
      ? '  AIGC implicit: none (STL has room only for a short "AIGC Label=… ProduceID=…" marker in its header, and has none)'
      : r.implicit.storeOnly !== null
      ? `  AIGC implicit: not embedded (${r.implicit.storeOnly})`
      : !r.implicit.possible
      ? '  AIGC implicit: not possible in this format (recorded in the store and ledger)'
      : r.implicit.count === 0
      ? '  AIGC implicit: none'
      : `  AIGC implicit: ${r.implicit.valid ? 'valid' : 'INVALID'} in ${r.implicit.placement}` +
          (label ? `  Label=${String(label.Label)} ContentProducer=${String(label.ContentProducer)} ProduceID=${String(label.ProduceID)}` : ''),
  );
  if (r.digitalSourceType) printLine(`  IPTC DigitalSourceType: ${r.digitalSourceType}`);
  printLine(
    r.c2pa.supported
      ? `  C2PA: ${r.c2pa.state}${r.c2pa.reasons.length ? ` (${r.c2pa.reasons.join(', ')})` : ''}${r.c2pa.claimGenerator ? `  by ${r.c2pa.claimGenerator}` : ''}`
      : '  C2PA: not possible in this format',
  );
  if (r.explicitText !== null) printLine(`  visible text notice: ${r.explicitText ? 'yes' : 'no'}`);
  for (const problem of r.problems) printLine(`  ! ${problem}`);
}
