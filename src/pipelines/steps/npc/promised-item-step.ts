import { z } from 'zod';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { promisedItem } from '../../npc/promised-item.ts';
import { present } from '../present-inputs.ts';

const inputSchema = z.object({
  message: z.string().trim().min(1).max(8000).describe('What the player said.'),
  reply: z.string().max(20_000).default('').describe("The NPC's answer."),
});

/**
 * The item an NPC promises in one turn ("Forge a sword for the general" → the sword), as a
 * prompt for `model3d.generate`. Word-based and deterministic, so it is cached.
 */
export const promisedItemStep: StepDefinition = {
  type: 'npc.promised-item',
  title: 'Item the NPC promises',
  description: "Finds the item named in the player's request (or, failing that, the NPC's reply), as a 3D prompt.",
  version: '1',
  inputs: inputPorts(inputSchema),
  outputs: {
    prompt: { type: 'string', description: 'The sentence that names the item.' },
    object: { type: 'string', description: "The built-in 3D object it names, or '' when none." },
    source: { type: 'string', description: 'player | reply' },
  },
  async run(ctx, raw) {
    const input = parseOrThrow(inputSchema, present(raw), 'npc.promised-item input');
    const item = promisedItem(input.message, input.reply);
    ctx.progress({ fraction: 1, message: item.object === null ? `no built-in object named; item: ${item.prompt}` : `item: ${item.object} (${item.prompt})` });
    return { prompt: item.prompt, object: item.object ?? '', source: item.source };
  },
};
