import { randomUUID } from 'node:crypto';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
  SharedV3Warning,
} from '@ai-sdk/provider';
import type { ChatHistoryItem, ChatModelFunctions, GbnfJsonSchema, LlamaContextSequence, LlamaGrammar, Token } from 'node-llama-cpp';
import { ShenbiError } from '../../core/errors.ts';
import { assertUsableJsonSchema } from '../../core/json-schema.ts';
import { DEFAULT_REPLY_SHARE, fitPromptToContext, overflowError, type FittedPrompt } from './fit-prompt.ts';
import type { ModelPool, PooledModel } from './model-pool.ts';
import { renderPlainPrompt, toChatHistory } from './prompt.ts';
import { forcedToolInstruction, parseForcedCall, planTools, type ToolPlan } from './tools.ts';

/** `providerOptions.llamaCpp`: engine-specific switches. */
export interface LlamaCppCallOptions {
  /** Continue the prompt as raw text, bypassing the chat template ('complete' writing mode). */
  rawCompletion?: boolean;
  /**
   * 'oldest': when the prompt and the output limit do not fit the context, leave out the
   * oldest turns (never system messages or the last user turn) instead of failing with
   * CONTEXT_OVERFLOW; how many were left out is reported as providerMetadata.llamaCpp.droppedMessages.
   */
  truncate?: 'oldest';
}

function callOptions(options: LanguageModelV3CallOptions): LlamaCppCallOptions {
  const raw = options.providerOptions?.llamaCpp;
  return { rawCompletion: raw?.rawCompletion === true, ...(raw?.truncate === 'oldest' ? { truncate: 'oldest' as const } : {}) };
}

/**
 * The prompt as it will be sent: whole, or with the oldest turns left out when the caller
 * opted in. Without an output limit a truncating call keeps a share of the context for the reply.
 */
function fitPrompt(options: LanguageModelV3CallOptions, measure: (prompt: LanguageModelV3Prompt) => number, contextSize: number): FittedPrompt {
  if (callOptions(options).truncate === 'oldest') {
    const reserved = options.maxOutputTokens ?? Math.floor(contextSize / DEFAULT_REPLY_SHARE);
    return fitPromptToContext(options.prompt, measure, contextSize, reserved);
  }
  const reserved = options.maxOutputTokens ?? 0;
  const inputTokens = measure(options.prompt);
  if (inputTokens >= contextSize - reserved) throw overflowError(inputTokens, contextSize, reserved);
  return { prompt: options.prompt, droppedMessages: 0, inputTokens };
}

function mapFinish(reason: string, toolCalls: number): LanguageModelV3FinishReason {
  if (toolCalls > 0) return { unified: 'tool-calls', raw: reason };
  const unified = reason === 'maxTokens' ? 'length' : reason === 'abort' ? 'other' : 'stop';
  return { unified, raw: reason };
}

/** `cached`: prompt tokens the sequence's KV cache already held (the prompt cache), not evaluated again. */
function usage(input: number, output: number, cached: number): LanguageModelV3Usage {
  return {
    inputTokens: { total: input, noCache: input - cached, cacheRead: cached, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

interface RunResult {
  content: LanguageModelV3Content[];
  finishReason: LanguageModelV3FinishReason;
  usage: LanguageModelV3Usage;
  warnings: SharedV3Warning[];
  /** Turns left out to fit the context (truncate: 'oldest'). */
  droppedMessages: number;
  /** Tokens one request's prompt and output may hold together. */
  contextSize: number;
}

function metadataOf(result: RunResult) {
  return { llamaCpp: { droppedMessages: result.droppedMessages, contextSize: result.contextSize } };
}

async function jsonGrammar(pooled: PooledModel, schema: unknown): Promise<LlamaGrammar> {
  const llama = pooled.model.llama;
  if (schema === undefined) return llama.getGrammarFor('json');
  assertUsableJsonSchema(schema);
  try {
    return await llama.createGrammarForJsonSchema(schema as never);
  } catch (error) {
    throw new ShenbiError('INVALID_INPUT', `the JSON schema cannot be used for constrained output: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * AI SDK LanguageModelV3 over node-llama-cpp. Each call takes one sequence of the pooled
 * model's context lanes, so concurrent calls decode in parallel lanes and batches rather than
 * queueing behind each other.
 * Models with a chat template are prompted through it (LlamaChat, with function calling);
 * base models get the prompt as plain text (LlamaCompletion).
 */
export class LlamaCppLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'shenbi.llama-cpp';
  readonly supportedUrls = {};

  constructor(
    readonly modelId: string,
    private readonly pool: ModelPool,
  ) {}

  async #run(options: LanguageModelV3CallOptions, onText?: (text: string) => void): Promise<RunResult> {
    const warnings: SharedV3Warning[] = [];
    return this.pool.use(this.modelId, async (pooled) => {
      const chatWrapper = callOptions(options).rawCompletion ? null : pooled.chatWrapper;
      const tools = planTools(options, chatWrapper !== null, warnings);
      let grammar: LlamaGrammar | undefined;
      if (tools.kind === 'forced') grammar = await jsonGrammar(pooled, tools.schema);
      else if (options.responseFormat?.type === 'json') grammar = await jsonGrammar(pooled, options.responseFormat.schema);
      // Forced tool calls must not leak as text: they are returned as calls only.
      const emit = tools.kind === 'forced' ? undefined : onText;
      // The prompt is rendered before a sequence is taken, so the lanes can hand this request
      // the kept sequence that already holds the longest part of it (the prompt cache).
      const generated = chatWrapper
        ? await (async () => {
            const prepared = this.#prepareChat(pooled, options, tools);
            return pooled.lanes.withSequence((sequence) => this.#chat(pooled, sequence, options, prepared, grammar, emit), options.abortSignal, prepared.promptTokens);
          })()
        : await (async () => {
            const prepared = this.#prepareCompletion(pooled, options, tools);
            return pooled.lanes.withSequence((sequence) => this.#complete(pooled, sequence, options, prepared, grammar, emit), options.abortSignal, prepared.contextTokens);
          })();
      const content: LanguageModelV3Content[] = [];
      let calls = generated.calls;
      if (tools.kind === 'forced') {
        try {
          calls = [parseForcedCall(tools, generated.text)];
        } catch (error) {
          throw new ShenbiError('ENGINE_FAILED', 'the forced tool call did not complete (output cut off before the JSON closed)', { cause: error, hint: 'Raise maxTokens.' });
        }
      } else if (generated.text !== '') content.push({ type: 'text', text: generated.text });
      for (const call of calls) {
        content.push({ type: 'tool-call', toolCallId: randomUUID(), toolName: call.name, input: JSON.stringify(call.input ?? {}) });
      }
      if (generated.droppedMessages > 0) warnings.push({ type: 'other', message: `${generated.droppedMessages} oldest messages were left out to fit the model's context of ${pooled.lanes.contextSize} tokens` });
      return {
        content,
        finishReason: mapFinish(generated.stopReason, calls.length),
        usage: usage(generated.inputTokens, generated.outputTokens, generated.cachedTokens),
        warnings,
        droppedMessages: generated.droppedMessages,
        contextSize: pooled.lanes.contextSize,
      };
    });
  }

  #sampling(options: LanguageModelV3CallOptions, inputTokens: number, contextSize: number, grammar: LlamaGrammar | undefined) {
    let outputTokens = 0;
    return {
      counter: () => outputTokens,
      settings: {
        // Never unbounded: without a limit a model that never emits EOS would run until killed.
        maxTokens: options.maxOutputTokens ?? Math.max(1, contextSize - inputTokens),
        temperature: options.temperature ?? 0,
        topK: options.topK,
        topP: options.topP,
        seed: options.seed,
        signal: options.abortSignal,
        stopOnAbortSignal: true,
        customStopTriggers: options.stopSequences,
        grammar,
        onToken: (tokens: Token[]) => {
          outputTokens += tokens.length;
        },
      },
    };
  }

  /** A base model's prompt as plain text, fitted to the context, and its tokens. */
  #prepareCompletion(pooled: PooledModel, options: LanguageModelV3CallOptions, tools: ToolPlan): PreparedCompletion {
    const render = (prompt: LanguageModelV3Prompt) => {
      const text = renderPlainPrompt(prompt);
      return tools.kind === 'forced' ? `${text}\n${forcedToolInstruction(tools)}\n` : text;
    };
    const fitted = fitPrompt(options, (prompt) => pooled.model.tokenize(render(prompt), true).length, pooled.lanes.contextSize);
    const tokens = pooled.model.tokenize(render(fitted.prompt), true);
    // LlamaCompletion puts the model's beginning-of-sequence token first in the context.
    const { bos, shouldPrependBosToken } = pooled.model.tokens;
    const contextTokens = shouldPrependBosToken && bos !== null && tokens[0] !== bos ? [bos, ...tokens] : tokens;
    return { tokens, contextTokens, droppedMessages: fitted.droppedMessages };
  }

  async #complete(
    pooled: PooledModel,
    sequence: LlamaContextSequence,
    options: LanguageModelV3CallOptions,
    { tokens, contextTokens, droppedMessages }: PreparedCompletion,
    grammar: LlamaGrammar | undefined,
    onText: ((text: string) => void) | undefined,
  ): Promise<Generated> {
    const cachedTokens = Math.max(0, cachedPrefix(sequence, contextTokens) - (contextTokens.length - tokens.length));
    const completion = new pooled.llamaCpp.LlamaCompletion({ contextSequence: sequence });
    try {
      const { counter, settings } = this.#sampling(options, tokens.length, pooled.lanes.contextSize, grammar);
      const result = await completion.generateCompletionWithMeta(tokens, { ...settings, onTextChunk: onText });
      return { text: result.response, stopReason: result.metadata.stopReason, inputTokens: tokens.length, outputTokens: counter(), calls: [], droppedMessages, cachedTokens };
    } finally {
      completion.dispose({ disposeSequence: false });
    }
  }

  /** A chat model's history, fitted to the context, and the tokens its template renders. */
  #prepareChat(pooled: PooledModel, options: LanguageModelV3CallOptions, tools: ToolPlan): PreparedChat {
    const chatWrapper = pooled.chatWrapper!;
    const functions = tools.kind === 'auto' ? tools.functions : undefined;
    const historyOf = (prompt: LanguageModelV3Prompt) => {
      const history = toChatHistory(prompt);
      if (tools.kind === 'forced') {
        const userTurn = history.findLast((item) => item.type === 'user');
        if (userTurn && userTurn.type === 'user') userTurn.text = `${userTurn.text}\n\n${forcedToolInstruction(tools)}`;
      }
      return history;
    };
    const render = (prompt: LanguageModelV3Prompt) => {
      const { contextText } = chatWrapper.generateContextState({ chatHistory: historyOf(prompt), availableFunctions: functions });
      return pooled.llamaCpp.LlamaText(contextText).tokenize(pooled.model.tokenizer);
    };
    // Measure the rendered prompt first: LlamaChat would otherwise shift (drop) old turns silently.
    const fitted = fitPrompt(options, (prompt) => render(prompt).length, pooled.lanes.contextSize);
    return { history: historyOf(fitted.prompt), functions, promptTokens: render(fitted.prompt), inputTokens: fitted.inputTokens, droppedMessages: fitted.droppedMessages };
  }

  async #chat(
    pooled: PooledModel,
    sequence: LlamaContextSequence,
    options: LanguageModelV3CallOptions,
    { history, functions, promptTokens, inputTokens, droppedMessages }: PreparedChat,
    grammar: LlamaGrammar | undefined,
    onText: ((text: string) => void) | undefined,
  ): Promise<Generated> {
    const chatWrapper = pooled.chatWrapper!;
    const cachedTokens = cachedPrefix(sequence, promptTokens);
    const chat = new pooled.llamaCpp.LlamaChat({ contextSequence: sequence, chatWrapper, autoDisposeSequence: false });
    try {
      const { counter, settings } = this.#sampling(options, inputTokens, pooled.lanes.contextSize, grammar);
      const common = { ...settings, onTextChunk: onText };
      const result = functions
        ? await chat.generateResponse(history, { ...common, grammar: undefined, functions, documentFunctionParams: true })
        : await chat.generateResponse(history, common);
      const calls = (result.functionCalls ?? []).map((call) => ({ name: call.functionName, input: call.params as unknown }));
      return { text: result.response, stopReason: result.metadata.stopReason, inputTokens, outputTokens: counter(), calls, droppedMessages, cachedTokens };
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const result = await this.#run(options);
    return { content: result.content, finishReason: result.finishReason, usage: result.usage, warnings: result.warnings, providerMetadata: metadataOf(result) };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    // Text that arrives while the reader is still busy is merged into one delta: the first
    // token goes out at once, but a slow consumer (the AI SDK's transform chain, a network
    // client) is not handed one chunk per token.
    let pending = '';
    let started = false;
    // The reader cancelled (its client went away): the generation ends on the abort signal,
    // and what it still produces has nowhere to go (enqueue on a cancelled stream throws).
    let cancelled = false;
    let controllerRef: ReadableStreamDefaultController<LanguageModelV3StreamPart> | undefined;
    // enqueue() can call pull() synchronously, which flushes again: take the text and mark
    // the start before enqueueing, so nothing is sent twice.
    const flush = () => {
      if (pending === '' || !controllerRef || cancelled) return;
      const delta = pending;
      pending = '';
      if (!started) {
        started = true;
        controllerRef.enqueue({ type: 'text-start', id: '0' });
      }
      controllerRef.enqueue({ type: 'text-delta', id: '0', delta });
    };
    const stream = new ReadableStream<LanguageModelV3StreamPart>(
      {
        start: (controller) => {
          controllerRef = controller;
          controller.enqueue({ type: 'stream-start', warnings: [] });
          this.#run(options, (delta) => {
            pending += delta;
            if ((controller.desiredSize ?? 0) > 0) flush();
          }).then(
            (result) => {
              if (cancelled) return;
              flush();
              if (started) controller.enqueue({ type: 'text-end', id: '0' });
              for (const part of result.content) {
                if (part.type === 'tool-call') controller.enqueue(part);
                else if (part.type === 'text' && !started) {
                  // Text that was not streamed (none was emitted as deltas) still reaches the reader.
                  started = true;
                  controller.enqueue({ type: 'text-start', id: '0' });
                  controller.enqueue({ type: 'text-delta', id: '0', delta: part.text });
                  controller.enqueue({ type: 'text-end', id: '0' });
                }
              }
              controller.enqueue({ type: 'finish', finishReason: result.finishReason, usage: result.usage, providerMetadata: metadataOf(result) });
              controller.close();
            },
            (error: unknown) => {
              if (cancelled) return;
              controller.enqueue({ type: 'error', error });
              controller.close();
            },
          );
        },
        pull: () => flush(),
        cancel: () => {
          cancelled = true;
        },
      },
      { highWaterMark: 2 },
    );
    return { stream };
  }
}

/** A base model's request, rendered and fitted before a sequence is taken. */
interface PreparedCompletion {
  tokens: Token[];
  /** `tokens` as the sequence will hold them (after the BOS token LlamaCompletion adds): what the prompt cache matches. */
  contextTokens: Token[];
  droppedMessages: number;
}

/** A chat model's request, rendered and fitted before a sequence is taken. */
interface PreparedChat {
  history: ChatHistoryItem[];
  functions: ChatModelFunctions | undefined;
  /** The tokens the chat template renders for `history`: what the prompt cache matches. */
  promptTokens: Token[];
  inputTokens: number;
  droppedMessages: number;
}

interface Generated {
  text: string;
  stopReason: string;
  inputTokens: number;
  outputTokens: number;
  calls: { name: string; input: unknown }[];
  droppedMessages: number;
  /** Prompt tokens taken from the sequence's KV cache instead of evaluated. */
  cachedTokens: number;
}

/**
 * How much of the prompt the sequence already holds. LlamaChat and LlamaCompletion keep that
 * prefix and evaluate the rest; at least the last prompt token is evaluated again, to sample from.
 */
function cachedPrefix(sequence: LlamaContextSequence, tokens: Token[]): number {
  if (tokens.length === 0) return 0;
  return Math.min(sequence.compareContextTokens(tokens).firstDifferentIndex, tokens.length - 1);
}
