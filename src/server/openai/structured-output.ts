import { NoObjectGeneratedError, type FinishReason, type LanguageModelUsage } from 'ai';
import { ShenbiError } from '../../core/errors.ts';

/** What completeChat needs of a finished generation (a GenerateTextResult, or a cut-short structured one). */
export interface FinishedGeneration {
  text: string;
  finishReason: FinishReason;
  usage: LanguageModelUsage | undefined;
  toolCalls: readonly { toolCallId: string; toolName: string; input: unknown }[];
  providerMetadata: unknown;
}

/**
 * A `response_format` JSON reply that does not parse. Cut off by `max_tokens` (finish reason
 * `length`), it is answered as OpenAI does: the partial content with `finish_reason: "length"`.
 * Otherwise (a model that ignored JSON mode) it is ENGINE_FAILED saying so, not a bare error.
 * Anything else is not ours: undefined.
 */
export function unparsedStructuredOutput(error: unknown): FinishedGeneration | undefined {
  if (!NoObjectGeneratedError.isInstance(error)) return undefined;
  if (error.finishReason === 'length') {
    return { text: error.text ?? '', finishReason: 'length', usage: error.usage, toolCalls: [], providerMetadata: undefined };
  }
  throw new ShenbiError('ENGINE_FAILED', `The model's reply is not the JSON that response_format asked for (finish reason: ${error.finishReason ?? 'unknown'}).`, {
    cause: error,
    hint: 'Use a model that supports JSON output, or retry with a higher max_tokens.',
    details: { finish_reason: error.finishReason ?? null },
  });
}
