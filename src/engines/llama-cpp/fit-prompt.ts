import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import { ShenbiError } from '../../core/errors.ts';

/** A prompt cut to fit the context, and how many of the caller's messages were left out. */
export interface FittedPrompt {
  prompt: LanguageModelV3Prompt;
  /** Messages left out, oldest first (system messages and the last user turn never are). */
  droppedMessages: number;
  /** Tokens of the fitted prompt as the model sees it. */
  inputTokens: number;
}

/**
 * When a caller opts into truncation without naming an output limit, this share of the
 * context is kept free for the reply: fitting the history up to the last token would leave
 * the model no room to answer.
 */
export const DEFAULT_REPLY_SHARE = 4;

export function overflowError(tokens: number, contextSize: number, reserved: number, hint = 'Shorten the prompt or lower maxTokens; nothing is truncated silently.', details: Record<string, unknown> = {}): ShenbiError {
  return new ShenbiError('CONTEXT_OVERFLOW', `prompt is ${tokens} tokens; context holds ${contextSize} (with ${reserved} reserved for output)`, {
    hint,
    details: { promptTokens: tokens, contextSize, reserved, ...details },
  });
}

/**
 * Indexes of the messages that may be left out, oldest first: every non-system message before
 * the last user message (that turn, and a prefill or tool results after it, are what is
 * being answered).
 */
function droppableIndexes(prompt: LanguageModelV3Prompt): number[] {
  let lastUser = -1;
  prompt.forEach((message, i) => {
    if (message.role === 'user') lastUser = i;
  });
  const out: number[] = [];
  for (let i = 0; i < lastUser; i++) if (prompt[i]!.role !== 'system') out.push(i);
  return out;
}

/**
 * Leaves out the oldest turns until the prompt plus `reserved` output tokens fit the context
 * (`measure` counts a prompt's tokens exactly, as the model will see it). Keeps every system
 * message and the last user turn; when even those do not fit, CONTEXT_OVERFLOW says so.
 * Counting is monotonic in the turns left out, so a binary search finds the fewest to drop.
 */
export function fitPromptToContext(prompt: LanguageModelV3Prompt, measure: (prompt: LanguageModelV3Prompt) => number, contextSize: number, reserved: number): FittedPrompt {
  const fits = (tokens: number) => tokens < contextSize - reserved;
  const whole = measure(prompt);
  if (fits(whole)) return { prompt, droppedMessages: 0, inputTokens: whole };
  const droppable = droppableIndexes(prompt);
  const without = (count: number): LanguageModelV3Prompt => {
    const left = new Set(droppable.slice(0, count));
    return prompt.filter((_, i) => !left.has(i));
  };
  const smallest = without(droppable.length);
  const smallestTokens = measure(smallest);
  if (!fits(smallestTokens)) {
    throw overflowError(smallestTokens, contextSize, reserved, "The system prompt and the last message alone do not fit the model's context: shorten them, or ask for fewer output tokens.", {
      droppedMessages: droppable.length,
      onlyKeptMessages: true,
    });
  }
  // The smallest count of dropped turns that fits lies in (low, high].
  let low = 0;
  let high = droppable.length;
  let highTokens = smallestTokens;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    const tokens = measure(without(middle));
    if (fits(tokens)) {
      high = middle;
      highTokens = tokens;
    } else low = middle;
  }
  return { prompt: without(high), droppedMessages: high, inputTokens: highTokens };
}
