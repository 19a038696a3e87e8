import { ShenbiError } from '../../core/errors.ts';
import type { Principal } from '../context.ts';
import { CHAT_BASE_OVERHEAD_TOKENS, CHAT_MESSAGE_OVERHEAD_TOKENS, COMPLETION_OVERHEAD_TOKENS, textTokenBound } from '../quota/estimates.ts';
import type { ChatRequest } from './chat-schema.ts';

/**
 * For a key with a token quota, the most output tokens one call may ask for: the reservation
 * must bound the call, so `max_tokens` is required to be at most this (documented in README).
 */
export const MAX_OUTPUT_TOKENS_WITH_QUOTA = 4096;
/** The limit a call of a key with a token quota gets when it names none. */
export const DEFAULT_OUTPUT_TOKENS_WITH_QUOTA = 1024;

/**
 * The output limit a call runs with: for a key with a token quota, the asked limit (at most
 * MAX_OUTPUT_TOKENS_WITH_QUOTA) or DEFAULT_OUTPUT_TOKENS_WITH_QUOTA; otherwise what was asked,
 * if anything.
 */
export function outputTokenLimit(principal: Principal, body: { max_tokens?: number | null | undefined; max_completion_tokens?: number | null | undefined }): number | undefined {
  const asked = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (principal.key === null || principal.key.quotaTokens === null) return asked;
  if (asked !== undefined && asked > MAX_OUTPUT_TOKENS_WITH_QUOTA) {
    const field = body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    throw new ShenbiError('INVALID_INPUT', `${field} may be at most ${MAX_OUTPUT_TOKENS_WITH_QUOTA} for an API key with a token quota.`, {
      details: { issues: [{ path: field, message: `at most ${MAX_OUTPUT_TOKENS_WITH_QUOTA}` }] },
    });
  }
  return asked ?? DEFAULT_OUTPUT_TOKENS_WITH_QUOTA;
}

const contentText = (content: string | { text: string }[] | null | undefined) => (content == null ? '' : typeof content === 'string' ? content : content.map((p) => p.text).join('\n'));

/** An upper bound of a chat request's prompt tokens: its text, tool definitions and schema, and template overhead. */
export function chatPromptTokenBound(body: ChatRequest): number {
  let tokens = CHAT_BASE_OVERHEAD_TOKENS;
  for (const message of body.messages) {
    tokens += CHAT_MESSAGE_OVERHEAD_TOKENS + textTokenBound(contentText(message.content));
    if ('name' in message && message.name !== undefined) tokens += textTokenBound(message.name);
    if (message.role === 'assistant' && message.tool_calls !== undefined) tokens += textTokenBound(JSON.stringify(message.tool_calls));
  }
  if (body.tools !== undefined) tokens += textTokenBound(JSON.stringify(body.tools));
  if (body.response_format !== undefined) tokens += textTokenBound(JSON.stringify(body.response_format));
  return tokens;
}

/** An upper bound of a raw completion's prompt tokens. */
export function completionPromptTokenBound(prompt: string): number {
  return COMPLETION_OVERHEAD_TOKENS + textTokenBound(prompt);
}
