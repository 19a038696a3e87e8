import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Prompt, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import type { LanguageModel, ModelMessage } from 'ai';

/** A stream part in the shape of the AI SDK's `fullStream` (what the SSE writer translates). */
export type StreamPart = { type: string } & Record<string, unknown>;

/** What a streamed call asks for: the model, its input and the AI SDK call settings. */
export interface EngineStreamRequest {
  model: LanguageModel;
  /** sha256 of a local model file; null for cloud models. */
  sha256: string | null;
  messages?: ModelMessage[];
  prompt?: string;
  settings: Record<string, unknown>;
  abortSignal: AbortSignal;
}

/** The call settings the direct path passes through unchanged (the rest need the AI SDK). */
const PLAIN_SETTINGS = new Set(['temperature', 'topP', 'maxOutputTokens', 'stopSequences', 'seed', 'frequencyPenalty', 'presencePenalty', 'providerOptions']);

/**
 * Messages as the language model receives them, the way the AI SDK's prompt conversion makes
 * them for plain text turns; undefined when a turn has tool calls or results (the SDK's job).
 */
function plainPrompt(request: EngineStreamRequest): LanguageModelV3Prompt | undefined {
  if (request.messages === undefined) return [{ role: 'user', content: [{ type: 'text', text: request.prompt ?? '' }] }];
  const prompt: LanguageModelV3Prompt = [];
  for (const message of request.messages) {
    if (message.role === 'system') prompt.push({ role: 'system', content: message.content });
    else if (message.role === 'user' && typeof message.content === 'string') prompt.push({ role: 'user', content: [{ type: 'text', text: message.content }] });
    else if (message.role === 'assistant' && Array.isArray(message.content) && message.content.every((part) => part.type === 'text')) {
      prompt.push({ role: 'assistant', content: message.content.filter((part) => part.text !== '').map((part) => ({ type: 'text' as const, text: part.text })) });
    } else return undefined;
  }
  return prompt;
}

/**
 * The model's own stream, without the AI SDK's streamText layer, for a local model asked for
 * plain text (no tools, no JSON output): streamText's per-chunk machinery cost 13 % of the
 * tokens/s at 1,000 tokens, 23–31 % at 128, and doubled the time to the first token
 * (docs/serving.md). The parts come out as streamText's would, so the same SSE writer serves
 * both paths. Undefined when the request needs the SDK (tools, JSON output, tool turns, cloud models).
 */
export function directEngineStream(request: EngineStreamRequest): AsyncIterator<StreamPart> | undefined {
  const model = request.model;
  if (request.sha256 === null || typeof model === 'string' || model.specificationVersion !== 'v3') return undefined;
  if (Object.keys(request.settings).some((key) => !PLAIN_SETTINGS.has(key))) return undefined;
  const prompt = plainPrompt(request);
  if (prompt === undefined) return undefined;
  return partsOf(model, { ...(request.settings as Partial<LanguageModelV3CallOptions>), prompt, abortSignal: request.abortSignal, includeRawChunks: false });
}

async function* partsOf(model: LanguageModelV3, options: LanguageModelV3CallOptions): AsyncGenerator<StreamPart> {
  let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>;
  try {
    reader = (await model.doStream(options)).stream.getReader();
  } catch (error) {
    yield { type: 'error', error };
    return;
  }
  let ended = false;
  try {
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      switch (part.type) {
        case 'text-delta':
          yield { type: 'text-delta', text: part.delta };
          break;
        case 'tool-call':
          yield { type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input: JSON.parse(part.input) as unknown };
          break;
        case 'error':
          ended = true;
          yield { type: 'error', error: part.error };
          return;
        case 'finish':
          ended = true;
          // A generation the client's hang-up stopped ends as an abort, as streamText reports it.
          if (options.abortSignal?.aborted === true) {
            yield { type: 'abort' };
            return;
          }
          yield { type: 'finish-step', providerMetadata: part.providerMetadata };
          yield {
            type: 'finish',
            finishReason: part.finishReason.unified,
            totalUsage: { inputTokens: part.usage.inputTokens.total, outputTokens: part.usage.outputTokens.total, inputTokenDetails: { cacheReadTokens: part.usage.inputTokens.cacheRead } },
          };
          return;
        default:
          break;
      }
    }
  } catch (error) {
    ended = true;
    yield { type: 'error', error };
  } finally {
    // Left early (the client went away): let go of the model's stream. The generation itself
    // stops on the abort signal, which the same hang-up fired.
    if (!ended) await reader.cancel().catch(() => undefined);
  }
}
