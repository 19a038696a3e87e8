import { z } from 'zod';

/** What a game hands Shenbi about one NPC and the player's situation. */
export const npcSceneSchema = z
  .object({
    npc: z
      .object({
        /** Stable id: conversations are kept per (npc, player). */
        id: z.string().min(1).max(100).regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
        name: z.string().min(1).max(100),
        /** Who they are, what they know, how they speak. */
        persona: z.string().min(1).max(8000),
        language: z.enum(['zh', 'en']).default('zh'),
        voice: z.string().min(1).max(100).optional(),
        speed: z.number().min(0.5).max(2).default(1),
      })
      .strict(),
    /** Where the player is and what is true in the world right now. */
    world: z.string().max(8000).default(''),
    /** The player's current quest. */
    quest: z.string().max(4000).default(''),
    player: z.string().min(1).max(100).default('player'),
  })
  .strict();

export type NpcScene = z.infer<typeof npcSceneSchema>;
export type NpcSceneInput = z.input<typeof npcSceneSchema>;

/**
 * The system prompt: persona first and always (it is never dropped from memory, so the NPC
 * stays in character however long the conversation), then the world and the quest.
 */
export function npcSystemPrompt(scene: NpcScene): string {
  const zh = scene.npc.language === 'zh';
  const lines = zh
    ? [
        `你是游戏中的角色「${scene.npc.name}」。始终以这个角色的身份、语气说话，不要提到你是AI或语言模型。`,
        `角色设定：${scene.npc.persona}`,
        scene.world && `当前世界状态：${scene.world}`,
        scene.quest && `玩家当前的任务：${scene.quest}`,
        '回答要简短自然（一到三句话），适合直接念出来；帮助玩家完成任务，但不要替玩家做决定。',
      ]
    : [
        `You are the game character "${scene.npc.name}". Always speak as this character, in their voice; never mention being an AI or a language model.`,
        `Character: ${scene.npc.persona}`,
        scene.world && `Current state of the world: ${scene.world}`,
        scene.quest && `The player's current quest: ${scene.quest}`,
        'Answer briefly and naturally (one to three sentences), ready to be spoken aloud; help the player complete the quest without deciding for them.',
      ];
  return lines.filter(Boolean).join('\n');
}

export function conversationIdFor(scene: NpcScene): string {
  return `npc:${scene.npc.id}:${scene.player}`;
}
