import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { CliContext } from '../context.ts';
import { formatBytes, formatDuration, printJson, printLine, printTable } from '../output.ts';
import { registerVoices } from './voices.ts';

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('the model manager: catalog, pull, list, remove, import');

  models
    .command('catalog')
    .description('recommended models you can pull')
    .action(async () => {
      const shenbi = await ctx.open();
      const entries = await shenbi.models.catalog();
      if (ctx.output.json) return printJson(entries);
      printTable(
        ['NAME', 'TASKS', 'SIZE', 'LICENSE', 'DESCRIPTION'],
        entries.map((e) => [e.name, e.tasks.join(','), formatBytes(e.size), e.license, e.description]),
        { fit: true, shrinkColumns: [3, 4] },
      );
    });

  models
    .command('list')
    .description('installed models')
    .action(async () => {
      const shenbi = await ctx.open();
      const installed = await shenbi.models.list();
      if (ctx.output.json) return printJson(installed);
      if (installed.length === 0) return printLine('No models installed. See `shenbi models catalog`, then `shenbi models pull NAME`.');
      printTable(
        ['NAME', 'SIZE', 'SHA256', 'SOURCE', 'PATH'],
        installed.map((m) => [m.name, formatBytes(m.size), m.sha256.slice(0, 12), m.source, m.path]),
      );
    });

  models
    .command('pull')
    .description('download a catalog model or a URL: resumable, checksum-verified, installed atomically')
    .argument('<name|url>')
    .option('--sha256 <hex>', 'expected sha256 (for a URL outside the catalog)')
    .option('--name <name>', 'name to install a URL under')
    .action(async (target: string, options: { sha256?: string; name?: string }) => {
      const shenbi = await ctx.open();
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.on('SIGINT', onSigint);
      const bar =
        !ctx.output.json && !ctx.output.quiet && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: ' {bar} {percentage}% | {got} / {total} | {speed}/s | ETA {eta_text}', hideCursor: true },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      let started = false;
      let lastLine = 0;
      try {
        const installed = await shenbi.models.pull(target, {
          ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
          ...(options.name === undefined ? {} : { name: options.name }),
          signal: abort.signal,
          onProgress: (p) => {
            const total = p.totalBytes ?? 0;
            const payload = {
              got: formatBytes(p.receivedBytes),
              total: total > 0 ? formatBytes(total) : '?',
              speed: formatBytes(p.bytesPerSecond ?? 0),
              eta_text: p.etaMs === null || p.etaMs === undefined ? '?' : formatDuration(p.etaMs),
            };
            if (bar !== undefined) {
              if (!started) bar.start(Math.max(total, 1), 0, payload);
              started = true;
              bar.update(p.receivedBytes, payload);
            } else if (!ctx.output.json && !ctx.output.quiet && Date.now() - lastLine > 1000) {
              lastLine = Date.now();
              process.stderr.write(`  ${payload.got} / ${payload.total} (${payload.speed}/s)\n`);
            }
          },
        });
        bar?.stop();
        if (ctx.output.json) return printJson(installed);
        if (installed.files !== undefined) {
          printLine(`${installed.name} installed: ${installed.files.length} files, ${formatBytes(installed.size)}`);
          for (const file of installed.files) printLine(`  ${file.path} (${formatBytes(file.size)}, sha256 ${file.sha256})`);
        } else {
          printLine(`${installed.name} installed: ${installed.path} (${formatBytes(installed.size)}, sha256 ${installed.sha256})`);
        }
      } finally {
        bar?.stop();
        process.off('SIGINT', onSigint);
      }
    });

  models
    .command('show')
    .description('where an installed model is: every file with its size and sha256 (never downloads)')
    .argument('<name>')
    .option('--verify', 're-hash the files (slow for big models)')
    .action(async (name: string, options: { verify?: boolean }) => {
      const shenbi = await ctx.open();
      const resolved = await shenbi.models.resolve(name, { verify: options.verify === true });
      if (ctx.output.json) return printJson(resolved);
      const files = resolved.files ?? [{ file: resolved.path, path: resolved.path, size: resolved.size, sha256: resolved.sha256 }];
      printTable(
        ['PATH', 'SIZE', 'SHA256'],
        files.map((f) => [f.path, formatBytes(f.size), f.sha256]),
      );
    });

  models
    .command('rm')
    .description('remove an installed model')
    .argument('<name>')
    .action(async (name: string) => {
      const shenbi = await ctx.open();
      await shenbi.models.remove(name);
      if (ctx.output.json) return printJson({ removed: name });
      printLine(`${name} removed`);
    });

  registerVoices(models, ctx);

  models
    .command('import')
    .description('install a model file you already have (hashed; checked against the catalog when the name is known)')
    .argument('<path>')
    .option('--name <name>', 'name to install it under (default: from the file name)')
    .action(async (path: string, options: { name?: string }) => {
      const shenbi = await ctx.open();
      const installed = await shenbi.models.importFile(path, options.name === undefined ? {} : { name: options.name });
      if (ctx.output.json) return printJson(installed);
      printLine(`${installed.name} installed: ${installed.path} (sha256 ${installed.sha256})`);
    });
}
