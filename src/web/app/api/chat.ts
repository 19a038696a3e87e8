import { errorFromBody, requestJson } from './http.ts';
import { readSse } from './sse.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Model ids the OpenAI-compatible endpoint offers. */
export async function listChatModels(): Promise<string[]> {
  const body = await requestJson<{ data?: { id?: unknown }[] }>('/v1/models');
  return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
}

/** What the server left out of the conversation to fit the model's context (`shenbi` in the last chunk). */
export interface ChatFit {
  droppedMessages: number;
  contextTokens: number | null;
}

export interface StreamChatOptions {
  /** The reply's token limit (`max_tokens`); the history is trimmed to leave room for it. */
  maxTokens?: number;
  signal?: AbortSignal;
  onFit?: (fit: ChatFit) => void;
}

/**
 * Streams a chat reply through `/v1/chat/completions` (stream: true), delta by delta. The
 * server is asked to leave out the oldest turns that no longer fit the model's context
 * (`shenbi.truncate`), so a long conversation keeps going; `onFit` hears what was left out.
 */
export async function* streamChat(model: string, messages: ChatMessage[], options: StreamChatOptions = {}): AsyncGenerator<string> {
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: true, shenbi: { truncate: 'oldest' }, ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}) }),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  for await (const message of readSse('/v1/chat/completions', init)) {
    if (message.data === '[DONE]') return;
    const chunk = JSON.parse(message.data) as { choices?: { delta?: { content?: unknown } }[]; error?: unknown; shenbi?: { dropped_messages?: unknown; context_tokens?: unknown } };
    if (chunk.error) throw errorFromBody(chunk, 500);
    if (chunk.shenbi && typeof chunk.shenbi.dropped_messages === 'number') {
      options.onFit?.({ droppedMessages: chunk.shenbi.dropped_messages, contextTokens: typeof chunk.shenbi.context_tokens === 'number' ? chunk.shenbi.context_tokens : null });
    }
    const delta = chunk.choices?.[0]?.delta?.content;
    if (typeof delta === 'string' && delta !== '') yield delta;
  }
}
