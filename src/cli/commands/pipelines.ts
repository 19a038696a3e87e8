import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { printJson, printLine, printTable } from '../output.ts';

// The pipeline registry (not the pipelines' index, which loads every step) loads when a `pipelines` command runs.
const pipelineRegistry = () => import('../../pipelines/registry.ts');

export function registerPipelines(program: Command, ctx: CliContext): void {
  const pipelines = program.command('pipelines').description('scenario pipelines and step types');

  pipelines
    .command('list')
    .description('list the built-in pipelines')
    .action(async () => {
      const all = (await pipelineRegistry()).listPipelines();
      if (ctx.output.json) return printJson(all);
      printTable(
        ['ID', 'STEPS', 'INPUTS', 'DESCRIPTION'],
        all.map((p) => [p.id, p.steps.length, Object.keys(p.inputs ?? {}).join(','), p.description ?? '']),
      );
    });

  pipelines
    .command('show')
    .description('print a pipeline as JSON')
    .argument('<pipeline>', 'id, alias or .json path')
    .action(async (id: string) => {
      printJson((await pipelineRegistry()).findPipeline(id));
    });

  pipelines
    .command('steps')
    .description('list every step type with its input and output ports')
    .action(async () => {
      const shenbi = await ctx.open();
      const steps = shenbi.steps.list();
      if (ctx.output.json) {
        return printJson(steps.map(({ type, title, description, version, engine, inputs, outputs }) => ({ type, title, description, version, engine, inputs, outputs })));
      }
      for (const step of steps) {
        printLine(`${step.type} (v${step.version}, engine ${step.engine ?? 'cpu'}) — ${step.title}`);
        const ports = (ports: Readonly<Record<string, { type: string; optional?: boolean | undefined }>>) =>
          Object.entries(ports)
            .map(([name, p]) => `${name}${p.optional === true ? '?' : ''}: ${p.type}`)
            .join(', ');
        printLine(`  in:  ${ports(step.inputs)}`);
        printLine(`  out: ${ports(step.outputs)}`);
      }
    });
}
