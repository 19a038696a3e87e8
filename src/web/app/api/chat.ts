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

/** Streams a chat reply through `/v1/chat/completions` (stream: true), delta by delta. */
export async function* streamChat(model: string, messages: ChatMessage[], signal?: AbortSignal): AsyncGenerator<string> {
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: true }),
    ...(signal ? { signal } : {}),
  };
  for await (const message of readSse('/v1/chat/completions', init)) {
    if (message.data === '[DONE]') return;
    const chunk = JSON.parse(message.data) as { choices?: { delta?: { content?: unknown } }[]; error?: unknown };
    if (chunk.error) throw errorFromBody(chunk, 500);
    const delta = chunk.choices?.[0]?.delta?.content;
    if (typeof delta === 'string' && delta !== '') yield delta;
  }
}
