import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-file.ts';
import type { Command } from 'commander';
import { z } from 'zod';
import { ARTIFACT_KINDS, type Artifact, type ArtifactKind } from '../../core/artifact.ts';
import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { CliContext } from '../context.ts';
import { formatBytes, printJson, printLine, printTable } from '../output.ts';
import { PRODUCE_ID_PATTERN } from '../../governance/produce-id.ts';
import type { ArtifactStore, LedgerStore } from '../../store/index.ts';
import { describeChain } from './ledger.ts';
import { describeReclaim } from './gc.ts';

const listOptions = z.object({
  job: z.string().optional(),
  kind: z.enum(ARTIFACT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(50),
});

export function registerArtifacts(program: Command, ctx: CliContext): void {
  const artifacts = program.command('artifacts').description('list, inspect and export artifacts');

  artifacts
    .command('list')
    .description('list artifacts, newest first')
    .option('--job <id>', 'only those of this job')
    .option('--kind <kind>', `one of ${ARTIFACT_KINDS.join(', ')}`)
    .option('--limit <n>', 'at most this many', '50')
    .action(async (raw: { job?: string; kind?: string; limit?: string }) => {
      const options = parseOrThrow(listOptions, raw, 'options');
      const shenbi = await ctx.open();
      const list = await shenbi.store.artifacts.list({
        ...(options.job ? { jobId: options.job } : {}),
        ...(options.kind ? { kind: options.kind as ArtifactKind } : {}),
        limit: options.limit,
      });
      if (ctx.output.json) return printJson(list);
      printTable(
        ['ID', 'KIND', 'TYPE', 'SIZE', 'JOB', 'CREATED'],
        list.map((a) => [a.id, a.kind, a.mimeType, formatBytes(a.size), a.jobId, a.createdAt]),
      );
    });

  artifacts
    .command('show')
    .description('show an artifact with its provenance and labels (by artifact id, or by the ProduceID in a file\'s AIGC label)')
    .argument('<id>', 'art_… or pid_…')
    .option('--provenance', "print the artifact's provenance-ledger entry and whether the chain verifies")
    .action(async (id: string, options: { provenance?: boolean }) => {
      const shenbi = await ctx.open();
      const artifact = await artifactByIdOrProduceId(shenbi.store.artifacts, id);
      if (options.provenance === true) return showLedgerEntry(ctx, shenbi.store.ledger, artifact.id);
      const path = await shenbi.store.blobs.localPath(artifact.blobRef);
      if (ctx.output.json) return printJson({ ...artifact, path });
      printLine(`${artifact.id}  ${artifact.kind}  ${artifact.mimeType}  ${formatBytes(artifact.size)}`);
      printLine(`sha256 ${artifact.sha256}`);
      printLine(`file   ${path}`);
      printLine(`made by ${artifact.provenance.engine.id} ${artifact.provenance.engine.version} in job ${artifact.jobId ?? '-'} step ${artifact.stepId ?? '-'}`);
      printLine(`provenance ${JSON.stringify(artifact.provenance, null, 2)}`);
      printLine(`labels ${JSON.stringify(artifact.labels, null, 2)}`);
    });

  artifacts
    .command('rm')
    .description('delete artifacts and reclaim their disk space (their provenance-ledger entries stay)')
    .argument('<ids...>')
    .action(async (ids: string[]) => {
      const shenbi = await ctx.open();
      const report = await shenbi.store.artifacts.delete(ids);
      if (ctx.output.json) return printJson(report);
      printLine(describeReclaim(report));
    });

  artifacts
    .command('export')
    .description('write an artifact to a file (verified against its sha256; labels travel inside the bytes)')
    .argument('<id>')
    .argument('<file>')
    .option('-f, --force', 'overwrite an existing file')
    .action(async (id: string, file: string, options: { force?: boolean }) => {
      const target = resolve(file);
      if (existsSync(target) && options.force !== true) {
        throw new ShenbiError('INVALID_INPUT', `${target} exists; pass --force to overwrite it.`);
      }
      const shenbi = await ctx.open();
      const { artifact, bytes } = await shenbi.store.artifacts.read(id);
      await writeFileAtomic(target, bytes).catch((error: unknown) => {
        throw toShenbiError(error, 'STORAGE_ERROR');
      });
      if (ctx.output.json) return printJson({ id: artifact.id, path: target, size: bytes.length, sha256: artifact.sha256 });
      printLine(`${artifact.id} → ${target} (${formatBytes(bytes.length)})`);
    });
}

/**
 * A ProduceID names content, not a stored copy: the same seed and input made twice carry the
 * same one. The newest artifact that carries it stands for them all.
 */
async function artifactByIdOrProduceId(artifacts: ArtifactStore, id: string): Promise<Artifact> {
  if (!PRODUCE_ID_PATTERN.test(id)) return artifacts.get(id);
  const [newest] = await artifacts.list({ produceId: id, limit: 1 });
  if (newest === undefined) {
    throw new ShenbiError('ARTIFACT_NOT_FOUND', `No artifact in this home carries ProduceID ${id}.`, {
      hint: 'The file may come from another Shenbi home, or its artifact was deleted (its ledger entry stays: shenbi ledger export).',
      details: { produceId: id },
    });
  }
  return newest;
}

/** `artifacts show ID --provenance`: the ledger entry, and the status of the chain it sits in. */
async function showLedgerEntry(ctx: CliContext, ledger: LedgerStore, id: string): Promise<void> {
  const entry = await ledger.entryFor(id);
  const chain = await ledger.verifyChain();
  if (ctx.output.json) return printJson({ entry: entry ?? null, chain });
  if (entry === undefined) printLine(`${id} has no provenance-ledger entry.`);
  else {
    printLine(`ledger seq ${entry.seq}  ${entry.createdAt}`);
    printLine(`prev  ${entry.prevHash}`);
    printLine(`entry ${entry.entryHash}`);
    printLine(`payload ${JSON.stringify(entry.payload, null, 2)}`);
  }
  printLine(`chain ${describeChain(chain)}`);
}
