import type { Command } from 'commander';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { conversationIdFor, npcSceneSchema } from '../../pipelines/npc/persona.ts';
import type { CliContext } from '../context.ts';
import { readInputOption } from '../input.ts';
import { runInForeground } from '../job-report.ts';
import { printJson, printLine } from '../output.ts';

function readScene(value: string | undefined) {
  if (value === undefined) throw new ShenbiError('INVALID_INPUT', 'give the NPC scene with --scene (inline JSON or a .json file)');
  return parseOrThrow(npcSceneSchema, readInputOption(value), 'scene');
}

export function registerNpc(program: Command, ctx: CliContext): void {
  const npc = program.command('npc').description('talk to a game NPC that answers in character, aloud, and remembers');

  npc
    .command('say')
    .description('say something to the NPC; prints its reply and writes the spoken WAV')
    .argument('<message...>', 'what the player says')
    .requiredOption('--scene <json|file>', '{ npc: { id, name, persona, language, voice? }, world, quest, player }')
    .option('--model <name>', 'text model (default: defaultTextModel)')
    .action(async (words: string[], options: { scene?: string; model?: string }) => {
      const scene = readScene(options.scene);
      const input = { scene, message: words.join(' '), ...(options.model ? { model: options.model } : {}) };
      await runInForeground(ctx, (shenbi, run) => shenbi.run('npc-reply', input, run));
    });

  npc
    .command('forget')
    .description("clear the NPC's memory of this player")
    .requiredOption('--scene <json|file>', 'the same scene as for `npc say`')
    .action(async (options: { scene?: string }) => {
      const id = conversationIdFor(readScene(options.scene));
      const shenbi = await ctx.open();
      await shenbi.store.conversations.clear(id);
      if (ctx.output.json) printJson({ cleared: id });
      else printLine(`forgot conversation ${id}`);
    });
}
