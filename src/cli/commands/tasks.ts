import type { Command } from 'commander';
import { z } from 'zod';
import { TASK_KINDS } from '../../core/task-kinds.ts';
import { TASKS, getTask } from '../../tasks/index.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine, printTable } from '../output.ts';

export function registerTasks(program: Command, ctx: CliContext): void {
  const tasks = program.command('tasks').description('task kinds and their input schemas');

  tasks
    .command('list')
    .description('list task kinds and whether an engine serves them')
    .action(async () => {
      // The task pipelines tell which kinds an engine serves (not the pipelines' index, which loads every step and its engine).
      const { availableTaskKinds } = await import('../../pipelines/task-pipelines.ts');
      const served = new Set<string>(availableTaskKinds());
      const rows = TASK_KINDS.map((kind) => ({
        kind,
        title: TASKS[kind].title,
        engine: served.has(kind),
        outputs: TASKS[kind].outputs,
        description: TASKS[kind].description,
      }));
      if (ctx.output.json) return printJson(rows);
      printTable(
        ['KIND', 'ENGINE', 'OUTPUTS', 'DESCRIPTION'],
        rows.map((r) => [r.kind, r.engine ? 'yes' : '-', r.outputs.join(','), r.description]),
      );
    });

  tasks
    .command('show')
    .description("print a task's input as JSON Schema")
    .argument('<task>')
    .action((kind: string) => {
      const task = getTask(kind);
      const schema = z.toJSONSchema(task.input, { io: 'input', unrepresentable: 'any' });
      if (ctx.output.json) return printJson({ kind: task.kind, title: task.title, outputs: task.outputs, input: schema });
      printLine(`${task.kind} — ${task.title}: ${task.description}`);
      printLine(`outputs: ${task.outputs.join(', ')}; positional text fills "${task.primaryField}"`);
      printLine(JSON.stringify(schema, null, 2));
    });
}
