import { ShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { encodeWav } from '../../../media/audio/wav.ts';
import { NpcDialogue, type SentenceSynthesizer } from '../../npc/npc-dialogue.ts';
import { npcSceneSchema } from '../../npc/persona.ts';
import type { ConversationStore } from '../../../store/types.ts';
import { requestedModel, type TextModelResolver } from '../text/model-resolver.ts';

export interface NpcReplyStepDeps {
  resolveModel: TextModelResolver;
  /** The voice; resolved per call so the speech engine starts only when an NPC speaks. */
  synthesizer: () => SentenceSynthesizer;
  conversations: ConversationStore;
  /** Engine identity recorded in the audio's provenance. */
  voiceEngine: { id: string; version: string };
}

/**
 * One turn of an NPC conversation as a job step: the player's message in, the NPC's spoken
 * reply out (WAV plus text with word timings). Progress reports each sentence as it is
 * voiced. Never cached: the same message later in a conversation deserves a new answer, and
 * the step writes the turn to memory.
 */
export function npcReplyStep(deps: NpcReplyStepDeps): StepDefinition {
  return {
    type: 'npc.reply',
    title: 'NPC reply, spoken',
    description: 'A game character answers the player in character, from persona, world state and quest, with memory; the answer is spoken aloud.',
    version: '1',
    engine: 'text',
    cacheable: false,
    inputs: {
      scene: { type: 'json', description: '{ npc: { id, name, persona, language, voice?, speed? }, world, quest, player }' },
      message: { type: 'string' },
      maxTokens: { type: 'integer', optional: true, default: 160 },
      temperature: { type: 'number', optional: true, default: 0.7 },
      model: { type: 'string', optional: true },
    },
    outputs: {
      text: { type: 'string' },
      audio: { type: 'artifact' },
      transcript: { type: 'artifact' },
    },
    async run(ctx, inputs) {
      const scene = parseOrThrow(npcSceneSchema, inputs.scene, 'scene');
      const resolved = await deps.resolveModel(requestedModel(inputs));
      const dialogue = new NpcDialogue({
        model: resolved.model,
        synthesize: deps.synthesizer(),
        conversations: deps.conversations,
        maxTokens: Number(inputs.maxTokens),
        temperature: Number(inputs.temperature),
      });
      let spoken = 0;
      let reply;
      for await (const event of dialogue.reply(scene, String(inputs.message), ctx.signal)) {
        if (event.type === 'audio') ctx.progress({ fraction: Math.min(0.95, 0.2 + 0.1 * ++spoken), message: `spoke: ${event.text}` });
        if (event.type === 'done') reply = event.reply;
      }
      if (!reply) throw new ShenbiError('ENGINE_FAILED', 'the NPC reply ended without a result');
      const parameters = { npc: scene.npc.id, player: scene.player, language: scene.npc.language, voice: scene.npc.voice ?? null };
      const transcript = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify({ text: reply.text, words: reply.words, sentences: reply.sentences, timing: reply.timing }, null, 2), 'utf8'),
        name: `${scene.npc.id}-reply.json`,
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters,
      });
      const audio = await ctx.writeArtifact({
        kind: 'audio',
        mimeType: 'audio/wav',
        bytes: encodeWav(reply.audio),
        name: `${scene.npc.id}-reply.wav`,
        parents: [transcript.id],
        engine: deps.voiceEngine,
        model: null,
        parameters,
      });
      return { text: reply.text, audio: audio.id, transcript: transcript.id };
    },
  };
}
