import { errorFromBody } from './http.ts';

export interface SseMessage {
  /** The `event:` field; 'message' when the server sent none. */
  event: string;
  data: string;
  id: string | null;
}

/**
 * Reads a Server-Sent Events stream with fetch (EventSource cannot POST, cannot be told
 * every event name in advance, and reconnects on its own where we want to stop at the end).
 */
export async function* readSse(path: string, init: RequestInit = {}): AsyncGenerator<SseMessage> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'text/event-stream');
  const response = await fetch(path, { ...init, headers });
  if (!response.ok || response.body === null) {
    const raw = await response.text();
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // plain-text error
    }
    throw errorFromBody(body, response.status);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  let id: string | null = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { event, data: data.join('\n'), id };
          event = 'message';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const rawValue = colon < 0 ? '' : line.slice(colon + 1);
        const fieldValue = rawValue.startsWith(' ') ? rawValue.slice(1) : rawValue;
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
        else if (field === 'id') id = fieldValue;
      }
    }
    if (data.length > 0) yield { event, data: data.join('\n'), id };
  } finally {
    // A consumer that stops early (the job ended) closes the connection instead of leaving it open.
    await reader.cancel().catch(() => undefined);
  }
}

export function parseData(message: SseMessage): unknown {
  try {
    return JSON.parse(message.data);
  } catch {
    return message.data;
  }
}
