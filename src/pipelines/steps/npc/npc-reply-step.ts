import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepContext, StepDefinition } from '../../../core/step.ts';
import { STREAM_START } from '../../../governance/explicit/hook.ts';
import type { PcmAudio } from '../../../media/audio/pcm.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { encodeWav } from '../../../media/audio/wav.ts';
import { NpcDialogue, type SentenceSynthesizer } from '../../npc/npc-dialogue.ts';
import { npcSceneSchema } from '../../npc/persona.ts';
import type { ConversationStore } from '../../../store/types.ts';
import { modelName } from '../../../tasks/common-fields.ts';
import { present } from '../present-inputs.ts';
import type { TextModelResolver } from '../text/model-resolver.ts';

const inputSchema = z.object({
  scene: npcSceneSchema.describe('{ npc: { id, name, persona, language, voice?, speed? }, world, quest, player }'),
  message: z.string().trim().min(1).max(8_000),
  maxTokens: z.number().int().min(1).max(4_096).default(160),
  temperature: z.number().min(0).max(2).default(0.7),
  model: modelName,
  /** Store and report each sentence's audio as it is voiced (step.partial events). */
  streamSentences: z.boolean().default(true),
});

export interface NpcReplyStepDeps {
  resolveModel: TextModelResolver;
  /** The voice; resolved per call so the speech engine starts only when an NPC speaks. */
  synthesizer: () => SentenceSynthesizer;
  conversations: ConversationStore;
  /** Engine identity recorded in the audio's provenance. */
  voiceEngine: { id: string; version: string };
}

/**
 * Stores each voiced sentence as its own WAV the moment it is ready and reports it as a
 * partial `audio` output, so a game (or the studio) starts playing the first sentence while
 * the model is still writing the rest. Writes run in order, off the dialogue's path: a slow
 * store never holds up the text. The first piece carries the audible AI label at its start;
 * the later ones are its continuation (every piece has its implicit label and C2PA).
 */
class SentencePieces {
  #chain: Promise<void> = Promise.resolve();
  #first: string | null = null;
  #count = 0;

  constructor(
    private readonly ctx: StepContext,
    private readonly draft: { npcId: string; engine: { id: string; version: string }; parameters: Record<string, unknown> },
  ) {}

  add(index: number, text: string, audio: PcmAudio): void {
    this.#count++;
    this.#chain = this.#chain.then(async () => {
      const piece = await this.ctx.writeArtifact({
        kind: 'audio',
        mimeType: 'audio/wav',
        bytes: encodeWav(audio),
        name: `${this.draft.npcId}-reply-${index + 1}.wav`,
        engine: this.draft.engine,
        model: null,
        parameters: { ...this.draft.parameters, sentence: index, text },
        ...(this.#first === null
          ? {}
          : { explicitLabel: { type: 'aigc-explicit', placement: STREAM_START, value: { stream: this.#first, reason: 'the audible label plays at the start of the first sentence' } } }),
      });
      this.#first ??= piece.id;
      this.ctx.partial({ output: 'audio', index, artifactId: piece.id, text });
    });
  }

  /** Every piece stored (rejects with the first failed write). */
  async settled(): Promise<number> {
    await this.#chain;
    return this.#count;
  }
}

/**
 * One turn of an NPC conversation as a job step: the player's message in, the NPC's spoken
 * reply out (WAV plus text with word timings). Each sentence is stored and reported as a
 * partial output as soon as it is voiced (see SentencePieces); the whole reply follows. Never
 * cached: the same message later in a conversation deserves a new answer, and the step writes
 * the turn to memory.
 */
export function npcReplyStep(deps: NpcReplyStepDeps): StepDefinition {
  return {
    type: 'npc.reply',
    title: 'NPC reply, spoken',
    description: 'A game character answers the player in character, from persona, world state and quest, with memory; the answer is spoken aloud.',
    version: '1',
    engine: 'text',
    modelInput: 'model',
    cacheable: false,
    inputs: inputPorts(inputSchema),
    outputs: {
      text: { type: 'string' },
      audio: { type: 'artifact' },
      transcript: { type: 'artifact' },
    },
    async run(ctx, inputs) {
      const { scene, message, maxTokens, temperature, model, streamSentences } = parseOrThrow(inputSchema, present(inputs), 'npc.reply input');
      const resolved = await deps.resolveModel(model);
      const dialogue = new NpcDialogue({
        model: resolved.model,
        synthesize: deps.synthesizer(),
        conversations: deps.conversations,
        maxTokens,
        temperature,
      });
      const parameters = { npc: scene.npc.id, player: scene.player, language: scene.npc.language, voice: scene.npc.voice ?? null };
      const pieces = !streamSentences ? null : new SentencePieces(ctx, { npcId: scene.npc.id, engine: deps.voiceEngine, parameters });
      let spoken = 0;
      let reply;
      try {
        for await (const event of dialogue.reply(scene, message, ctx.signal)) {
          if (event.type === 'audio') {
            pieces?.add(event.index, event.text, event.audio);
            ctx.progress({ fraction: Math.min(0.95, 0.2 + 0.1 * ++spoken), message: `spoke: ${event.text}` });
          }
          if (event.type === 'done') reply = event.reply;
        }
      } finally {
        // Never leave a piece write running past the step (a failure still reports the dialogue's error).
        await pieces?.settled().catch(() => undefined);
      }
      await pieces?.settled();
      if (!reply) throw new ShenbiError('ENGINE_FAILED', 'the NPC reply ended without a result');
      if (reply.memoryLeftOut > 0) {
        ctx.progress({ fraction: 0.96, message: `the ${reply.memoryLeftOut} oldest remembered messages no longer fit the model's context and were left out of this turn` });
      }
      const transcript = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify({ text: reply.text, words: reply.words, sentences: reply.sentences, memoryLeftOut: reply.memoryLeftOut, timing: reply.timing }, null, 2), 'utf8'),
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
