import type { LanguageModelV3, LanguageModelV3Middleware, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import { throwIfRefused, type Moderator } from './moderator.ts';

/**
 * Raw characters of context kept per text part. Normalization drops inserted spaces and
 * zero-width characters, so a term of n characters may be spread over more raw ones:
 * the window covers about three inserted characters per term character.
 */
export function streamWindow(moderator: Moderator): number {
  return Math.max(64, 4 * moderator.longestTerm + 32);
}

/**
 * AI SDK middleware that checks model output against the term lists: each streamed
 * text delta is checked together with the tail of what came before it (a sliding window),
 * so a term split across chunk boundaries is still caught, and the stream is aborted with
 * GOVERNANCE_REFUSED (which also cancels the model's generation). Non-streamed results are
 * checked whole. Text already streamed before the match has reached the caller; stored
 * artifacts are protected separately by moderationHook.
 */
export function moderationMiddleware(moderator: Moderator): LanguageModelV3Middleware {
  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate }) {
      const result = await doGenerate();
      const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
      throwIfRefused(moderator.moderateText(text), 'the model output');
      return result;
    },
    async wrapStream({ doStream }) {
      const { stream, ...rest } = await doStream();
      if (!moderator.enabled) return { stream, ...rest };
      const window = streamWindow(moderator);
      const tails = new Map<string, string>();
      const checked = new TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart>({
        transform(part, controller) {
          if (part.type === 'text-delta') {
            const seen = (tails.get(part.id) ?? '') + part.delta;
            throwIfRefused(moderator.moderateText(seen), 'the streamed model output');
            tails.set(part.id, seen.length > window ? seen.slice(seen.length - window) : seen);
          }
          controller.enqueue(part);
        },
      });
      return { stream: stream.pipeThrough(checked), ...rest };
    },
  };
}

/** The model with output moderation in front of it. */
export function withModeration(model: LanguageModelV3, moderator: Moderator): LanguageModelV3 {
  return wrapLanguageModel({ model, middleware: moderationMiddleware(moderator) });
}
