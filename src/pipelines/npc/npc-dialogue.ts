import { streamText, type LanguageModel, type ModelMessage } from 'ai';
import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import { concatPcm, type PcmAudio } from '../../media/audio/pcm.ts';
import { SpeakablePieces } from './speakable-pieces.ts';
import type { ConversationStore } from '../../store/types.ts';
import { conversationIdFor, npcSceneSchema, npcSystemPrompt, type NpcScene, type NpcSceneInput } from './persona.ts';

/** Any text-to-speech engine: eSpeak, an ONNX voice, a cloud voice. */
export type SentenceSynthesizer = (
  text: string,
  options: { language: string; voice?: string; speed: number; signal?: AbortSignal },
) => Promise<{ audio: PcmAudio; words: readonly TimedText[] }>;

export type NpcEvent =
  | { type: 'text'; delta: string }
  /** A sentence is complete and has gone to the voice (the model may still be writing). */
  | { type: 'sentence'; index: number; text: string }
  /** The sentence's audio, in order; play it as it comes. */
  | { type: 'audio'; index: number; text: string; audio: PcmAudio; words: readonly TimedText[] }
  | { type: 'done'; reply: NpcReply };

export interface NpcReply {
  text: string;
  /** All sentences joined, with a short pause between them. */
  audio: PcmAudio;
  /** Word and sentence timings in the joined audio. */
  words: TimedText[];
  sentences: TimedText[];
  /** Remembered messages (oldest first) left out of this turn's prompt to fit the model's context. */
  memoryLeftOut: number;
  /** Milliseconds from the request to: the first sentence sent to the voice, its audio, the end of text. */
  timing: { firstSentenceMs: number; firstAudioMs: number; textDoneMs: number; doneMs: number };
}

export interface NpcDialogueOptions {
  model: LanguageModel;
  synthesize: SentenceSynthesizer;
  conversations: ConversationStore;
  /** Turns of memory sent with each request (the persona is always sent besides). Default 16. */
  memoryTurns?: number;
  maxTokens?: number;
  temperature?: number;
}

const PAUSE_SECONDS = 0.25;
/** What the race in `reply` yields when a sentence's voice finished before the next text delta. */
const VOICED: unique symbol = Symbol('voiced');

/**
 * A talking NPC. Text streams from the model; each sentence goes to the voice the moment it
 * is complete, so the first sentence is being synthesized (and can be played) while the model
 * is still writing the rest. Memory lives in the conversation store, per NPC and player; the
 * model is whatever the caller resolved, so many NPCs share one loaded local model.
 */
export class NpcDialogue {
  readonly #options: NpcDialogueOptions;

  constructor(options: NpcDialogueOptions) {
    this.#options = options;
  }

  async *reply(sceneInput: NpcSceneInput, message: string, signal?: AbortSignal): AsyncGenerator<NpcEvent, NpcReply> {
    const scene: NpcScene = npcSceneSchema.parse(sceneInput);
    const said = message.trim();
    if (said === '') throw new ShenbiError('INVALID_INPUT', 'the player said nothing: message is empty');
    if (said.length > 4000) throw new ShenbiError('INVALID_INPUT', `the player's message is ${said.length} characters; the limit is 4000`);
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    const conversationId = conversationIdFor(scene);
    const memory = await this.#options.conversations.history(conversationId, this.#options.memoryTurns ?? 16);
    const messages: ModelMessage[] = [
      ...memory.map((turn): ModelMessage => (turn.role === 'assistant' ? { role: 'assistant', content: turn.content } : { role: 'user', content: turn.content })),
      { role: 'user', content: said },
    ];

    const voice = { language: scene.npc.language, speed: scene.npc.speed, ...(scene.npc.voice ? { voice: scene.npc.voice } : {}), ...(signal ? { signal } : {}) };
    // Sentences, merged where one is too short to carry the audible label or has nothing to say.
    const sentences = new SpeakablePieces(scene.npc.speed);
    const pending: { index: number; text: string; audio: Promise<{ audio: PcmAudio; words: readonly TimedText[] }>; voiced: Promise<typeof VOICED>; settled: boolean }[] = [];
    // Voices run one sentence at a time, in order, but never wait for the text to finish.
    let chain: Promise<unknown> = Promise.resolve();
    const speak = (text: string) => {
      const index = pending.length;
      const audio = chain.then(() => this.#options.synthesize(text, voice));
      chain = audio.catch(() => undefined);
      // Settles either way, so it also handles a failure of a sentence nobody awaits (after an
      // earlier one failed), which must not crash the process.
      const voiced = audio.then((): typeof VOICED => VOICED, (): typeof VOICED => VOICED);
      const entry = { index, text, audio, voiced, settled: false };
      // Registered before anyone races `voiced`, so the flag is set by the time a race sees it.
      void voiced.then(() => (entry.settled = true));
      pending.push(entry);
      return index;
    };

    const timing = { firstSentenceMs: -1, firstAudioMs: -1, textDoneMs: -1, doneMs: -1 };
    let text = '';
    let emitted = 0;
    const outputs: { text: string; audio: PcmAudio; words: readonly TimedText[] }[] = [];
    const drainReady = async function* (wait: boolean): AsyncGenerator<NpcEvent> {
      while (emitted < pending.length) {
        const next = pending[emitted]!;
        // A flag, not a race against an already-resolved promise: that race is always won by the
        // marker (one microtask sooner), which held every sentence back until the text was done.
        if (!wait && !next.settled) return;
        const { audio, words } = await next.audio;
        if (timing.firstAudioMs < 0) timing.firstAudioMs = since();
        outputs.push({ text: next.text, audio, words });
        emitted++;
        yield { type: 'audio', index: next.index, text: next.text, audio, words };
      }
    };

    const maxOutputTokens = this.#options.maxTokens ?? 160;
    // The model's error, kept to be thrown: streamText's text stream just ends on an error
    // (and its default handler prints the stack), which hid CONTEXT_OVERFLOW behind "no words".
    let modelError: { error: unknown } | undefined;
    let memoryLeftOut = 0;
    try {
      const result = streamText({
        model: this.#options.model,
        system: npcSystemPrompt(scene),
        messages,
        maxOutputTokens,
        temperature: this.#options.temperature ?? 0.7,
        maxRetries: 0,
        // A local model leaves out the oldest remembered turns that no longer fit its context;
        // the persona (system prompt) and the player's message are always sent.
        providerOptions: { llamaCpp: { truncate: 'oldest' } },
        onError: ({ error }) => {
          modelError ??= { error };
        },
        ...(signal ? { abortSignal: signal } : {}),
      });
      // The next text delta races the next sentence's voice: a voiced sentence goes out the
      // moment it is ready, not when the (possibly slow) model writes its next token.
      const deltas = result.textStream[Symbol.asyncIterator]();
      let nextDelta = deltas.next();
      try {
        for (;;) {
          const waiting = pending[emitted];
          const step = await (waiting === undefined ? nextDelta : Promise.race([nextDelta, waiting.voiced]));
          if (step === VOICED) {
            yield* drainReady(false);
            continue;
          }
          if (step.done) break;
          nextDelta = deltas.next();
          text += step.value;
          yield { type: 'text', delta: step.value };
          for (const sentence of sentences.push(step.value)) {
            if (timing.firstSentenceMs < 0) timing.firstSentenceMs = since();
            yield { type: 'sentence', index: speak(sentence), text: sentence };
          }
          yield* drainReady(false);
        }
      } finally {
        // Leaving early (a voice failed, the caller stopped): a read may still be in flight.
        // Cancel the stream without waiting on it, and let that read's outcome go unobserved.
        nextDelta.catch(() => undefined);
        void deltas.return?.()?.catch(() => undefined);
      }
      if (modelError !== undefined) throw modelError.error;
      memoryLeftOut = droppedMessagesOf(await Promise.resolve(result.providerMetadata).catch(() => undefined));
      timing.textDoneMs = since();
      for (const sentence of sentences.flush()) {
        if (timing.firstSentenceMs < 0) timing.firstSentenceMs = since();
        yield { type: 'sentence', index: speak(sentence), text: sentence };
      }
      yield* drainReady(true);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw personaOverflow(toShenbiError(error, 'ENGINE_FAILED'), scene, maxOutputTokens);
    }
    if (outputs.length === 0) throw new ShenbiError('ENGINE_FAILED', `${scene.npc.name} produced no words to speak`, { hint: 'Try again, or use a stronger text model.' });

    const joined = joinSpoken(outputs);
    await this.#options.conversations.append(conversationId, [
      { role: 'user', speaker: scene.player, content: said },
      { role: 'assistant', speaker: scene.npc.name, content: text.trim() },
    ]);
    timing.doneMs = since();
    const reply: NpcReply = { text: text.trim(), ...joined, memoryLeftOut, timing };
    yield { type: 'done', reply };
    return reply;
  }
}

function droppedMessagesOf(metadata: unknown): number {
  const dropped = (metadata as { llamaCpp?: { droppedMessages?: unknown } } | undefined)?.llamaCpp?.droppedMessages;
  return typeof dropped === 'number' ? dropped : 0;
}

/**
 * The model's CONTEXT_OVERFLOW when even the persona, world, quest and the player's newest
 * message do not fit (every remembered turn already left out), said in the NPC's terms with
 * the limit; other errors pass through with their own code.
 */
function personaOverflow(error: ShenbiError, scene: NpcScene, maxOutputTokens: number): ShenbiError {
  if (error.code !== 'CONTEXT_OVERFLOW' || error.details?.onlyKeptMessages !== true) return error;
  const { promptTokens, contextSize, reserved } = error.details as { promptTokens?: number; contextSize?: number; reserved?: number };
  const room = contextSize !== undefined ? contextSize - (reserved ?? maxOutputTokens) : undefined;
  return new ShenbiError(
    'CONTEXT_OVERFLOW',
    `${scene.npc.name}'s persona, world and quest with the player's message are ${promptTokens ?? '?'} tokens; the model's context holds ${contextSize ?? '?'}, of which ${reserved ?? maxOutputTokens} are kept for the reply, so they may be at most ${room ?? '?'} tokens`,
    {
      hint: 'Shorten the persona, world or quest (or the message), or use a model with a larger context.',
      details: { ...error.details, limitTokens: room },
      cause: error,
    },
  );
}

function joinSpoken(parts: { text: string; audio: PcmAudio; words: readonly TimedText[] }[]): Pick<NpcReply, 'audio' | 'words' | 'sentences'> {
  const audio = concatPcm(parts.map((p) => p.audio), PAUSE_SECONDS);
  const words: TimedText[] = [];
  const sentences: TimedText[] = [];
  let offset = 0;
  for (const part of parts) {
    const duration = part.audio.samples.length / part.audio.sampleRate;
    for (const w of part.words) words.push({ text: w.text, start: w.start + offset, end: w.end + offset });
    sentences.push({ text: part.text, start: offset, end: offset + duration });
    offset += duration + PAUSE_SECONDS;
  }
  return { audio, words, sentences };
}
