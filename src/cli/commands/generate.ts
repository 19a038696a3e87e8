import type { Command } from 'commander';
import { getTask } from '../../tasks/index.ts';
import type { CliContext } from '../context.ts';
import { collect, parseSetOptions, readInputOption } from '../input.ts';
import { runInForeground } from '../job-report.ts';

export function registerGenerate(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description('generate one thing with a task: text, code, science, image, vision, speech, transcription, music, video, 3d, motion')
    .argument('<task>', 'task kind (see `shenbi tasks list`)')
    .argument('[text...]', "the task's main field: the prompt for most tasks")
    .option('-i, --input <json|file|->', 'task input as inline JSON, a JSON file, or - for stdin')
    .option('-s, --set <key=value>', 'set one input field (repeatable)', collect, [])
    .action(async (kind: string, words: string[], options: { input?: string; set: string[] }) => {
      const task = getTask(kind);
      const input: Record<string, unknown> = { ...readInputOption(options.input), ...parseSetOptions(options.set) };
      if (words.length > 0) input[task.primaryField] = words.join(' ');
      await runInForeground(ctx, (shenbi, run) => shenbi.generate(kind, input, run));
    });
}
