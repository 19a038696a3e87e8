import type { PipelineSpecInput } from '../../core/pipeline.ts';

/** One turn of a voiced game-NPC conversation (memory is kept per NPC and player). */
export const npcReplyPipeline: PipelineSpecInput = {
  id: 'npc-reply',
  title: 'NPC reply, spoken',
  description: 'The player says something; the NPC answers in character, with memory, and the answer is spoken aloud.',
  inputs: {
    scene: { type: 'json', description: '{ npc: { id, name, persona, language: zh|en, voice?, speed? }, world, quest, player }' },
    message: { type: 'string', description: 'What the player says.' },
    model: { type: 'string', optional: true, description: 'Text model (default: defaultTextModel).' },
  },
  steps: [
    {
      id: 'reply',
      uses: 'npc.reply',
      with: { scene: { $from: 'inputs.scene' }, message: { $from: 'inputs.message' }, model: { $from: 'inputs.model' } },
    },
  ],
  outputs: { text: { $from: 'reply.text' }, audio: { $from: 'reply.audio' }, transcript: { $from: 'reply.transcript' } },
};
