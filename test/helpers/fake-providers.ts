import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  raw: Buffer;
}

export type FakeHandler = (req: RecordedRequest, res: ServerResponse, index: number) => void | Promise<void>;

export interface FakeServer {
  baseURL: string;
  requests: RecordedRequest[];
  /** Connections the client closed before the response ended. */
  closedEarly: number;
  close(): Promise<void>;
}

/** A 127.0.0.1 server that records each request's JSON body and lets a handler answer it. */
export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const state: FakeServer = { baseURL: '', requests: [], closedEarly: 0, close: async () => {} };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const text = raw.toString('utf8');
    // JSON bodies are parsed; others (multipart uploads) are kept raw only.
    const isJson = text !== '' && !String(req.headers['content-type'] ?? '').startsWith('multipart/');
    const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: isJson ? JSON.parse(text) : {}, raw };
    state.requests.push(recorded);
    res.on('close', () => { if (!res.writableFinished) state.closedEarly++; });
    await handler(recorded, res, state.requests.length - 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return state;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function openAIError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type: status === 429 ? 'rate_limit_error' : 'invalid_request_error', code: null } }, headers);
}

export function openAIChat(res: ServerResponse, model: string, text: string): void {
  sendJson(res, 200, {
    id: 'chatcmpl-1', object: 'chat.completion', created: 1, model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  });
}

/** OpenAI SSE: one `data:` chunk per piece, then `data: [DONE]`. Pauses `gapMs` between pieces. */
export async function openAIStream(res: ServerResponse, model: string, pieces: string[], gapMs = 0): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }, null));
  for (const p of pieces) {
    if (res.destroyed) return;
    res.write(chunk({ content: p }, null));
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  if (res.destroyed) return;
  res.write(chunk({}, 'stop'));
  res.end('data: [DONE]\n\n');
}

export function anthropicError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message } });
}

export function anthropicMessage(res: ServerResponse, model: string, text: string): void {
  sendJson(res, 200, {
    id: 'msg_1', type: 'message', role: 'assistant', model, content: [{ type: 'text', text }],
    stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 2 },
  });
}

/** Anthropic SSE: `event:` + `data:` pairs from message_start to message_stop. */
export function anthropicStream(res: ServerResponse, model: string, pieces: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  res.write(ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } }));
  res.write(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
  for (const p of pieces) res.write(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } }));
  res.write(ev('content_block_stop', { index: 0 }));
  res.write(ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }));
  res.end(ev('message_stop', {}));
}

const geminiChunk = (text: string, finish?: string) => ({
  candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finish ? { finishReason: finish } : {}) }],
  usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
});

/** Google: `:generateContent` JSON, or `:streamGenerateContent?alt=sse` `data:` chunks. */
export function googleAnswer(req: RecordedRequest, res: ServerResponse, pieces: string[]): void {
  if (req.url.includes(':streamGenerateContent')) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    pieces.forEach((p, i) => res.write(`data: ${JSON.stringify(geminiChunk(p, i === pieces.length - 1 ? 'STOP' : undefined))}\n\n`));
    res.end();
  } else {
    sendJson(res, 200, geminiChunk(pieces.join(''), 'STOP'));
  }
}

export function googleError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { code: status, message, status: status === 400 ? 'INVALID_ARGUMENT' : 'UNAVAILABLE' } });
}
