import type { PipelineSpecInput } from '../../core/pipeline.ts';

/**
 * The blacksmith's "forge a sword for the general": one NPC turn, spoken, then the item the
 * NPC is asked for built as a 3D model (the built-in library offline, or a text model).
 */
export const npcItemPipeline: PipelineSpecInput = {
  id: 'npc-item',
  title: 'NPC makes an item (3D)',
  description: 'The player asks an NPC for an item; the NPC answers in character, spoken aloud, and the item it promises is built as a 3D model.',
  inputs: {
    scene: { type: 'json', description: '{ npc: { id, name, persona, language: zh|en, voice?, speed? }, world, quest, player }' },
    message: { type: 'string', description: 'What the player says, e.g. "Forge a sword for the general".' },
    model: { type: 'string', optional: true, description: "Text model for the NPC's reply (default: defaultTextModel)." },
    itemModel: { type: 'string', optional: true, description: 'Text model that writes the item’s scene program (default: the built-in object library).' },
    format: { type: 'string', default: 'glb', description: 'glb | gltf | stl | 3mf | usdz' },
    detail: { type: 'string', default: 'medium', description: 'low | medium | high' },
    seed: { type: 'integer', optional: true, description: 'Same seed, same model.' },
    thumbnail: { type: 'boolean', default: true, description: 'Render a PNG of the model (needs Chromium).' },
  },
  steps: [
    {
      id: 'reply',
      uses: 'npc.reply',
      with: { scene: { $from: 'inputs.scene' }, message: { $from: 'inputs.message' }, model: { $from: 'inputs.model' } },
    },
    {
      id: 'item',
      uses: 'npc.promised-item',
      with: { message: { $from: 'inputs.message' }, reply: { $from: 'reply.text' } },
    },
    {
      id: 'forge',
      uses: 'model3d.generate',
      with: {
        prompt: { $from: 'item.prompt' },
        model: { $from: 'inputs.itemModel' },
        format: { $from: 'inputs.format' },
        detail: { $from: 'inputs.detail' },
        seed: { $from: 'inputs.seed' },
        thumbnail: { $from: 'inputs.thumbnail' },
      },
    },
  ],
  outputs: {
    text: { $from: 'reply.text' },
    audio: { $from: 'reply.audio' },
    transcript: { $from: 'reply.transcript' },
    item: { $from: 'item.prompt' },
    model: { $from: 'forge.model' },
    program: { $from: 'forge.program' },
    thumbnail: { $from: 'forge.thumbnail' },
    metrics: { $from: 'forge.metrics' },
  },
};
