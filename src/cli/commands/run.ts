import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { collect, parseSetOptions, readInputOption } from '../input.ts';
import { runInForeground } from '../job-report.ts';

export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run a pipeline (a built-in id such as "showcase", or a pipeline .json file)')
    .argument('<pipeline>', 'pipeline id, alias or path to a .json file')
    .option('-i, --input <json|file|->', 'pipeline input as inline JSON, a JSON file, or - for stdin')
    .option('-s, --set <key=value>', 'set one input field (repeatable; values parse as JSON when they can)', collect, [])
    .action(async (pipeline: string, options: { input?: string; set: string[] }) => {
      const input = { ...readInputOption(options.input), ...parseSetOptions(options.set) };
      await runInForeground(ctx, (shenbi, run) => shenbi.run(pipeline, input, run));
    });
}
