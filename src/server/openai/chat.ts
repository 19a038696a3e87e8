import { randomBytes } from 'node:crypto';
import { generateText, jsonSchema, Output, streamText, tool, type FinishReason, type LanguageModelUsage, type ModelMessage, type ToolSet } from 'ai';
import type { Context } from 'hono';
import { toShenbiError } from '../../core/errors.ts';
import type { ResolvedTextModel } from '../../pipelines/steps/text/model-resolver.ts';
import type { ServerEnv, ServerServices } from '../context.ts';
import { errorBodyFor } from '../http-error.ts';
import { readJsonBody } from '../middleware/json-body.ts';
import type { UsageHold } from '../quota/quota-meter.ts';
import type { RouteBook } from '../route-book.ts';
import { toModelMessages } from './chat-messages.ts';
import { chatRequestSchema, completionRequestSchema, type ChatRequest, type CompletionRequest } from './chat-schema.ts';
import { chatPromptTokenBound, completionPromptTokenBound, outputTokenLimit } from './chat-usage.ts';
import { directEngineStream, type StreamPart } from './engine-stream.ts';
import { sseChunks } from './sse-chunks.ts';
import { unparsedStructuredOutput, type FinishedGeneration } from './structured-output.ts';

export function openAiFinishReason(reason: FinishReason | undefined): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  if (reason === 'length') return 'length';
  if (reason === 'tool-calls') return 'tool_calls';
  if (reason === 'content-filter') return 'content_filter';
  return 'stop';
}

function usageOf(usage: LanguageModelUsage | undefined) {
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? 0;
  // OpenAI's field for prompt caching: the prompt tokens a previous request's KV cache served.
  const cached = usage?.inputTokenDetails?.cacheReadTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } };
}

type Sampling = Pick<ChatRequest, 'temperature' | 'top_p' | 'max_tokens' | 'stop' | 'seed' | 'frequency_penalty' | 'presence_penalty'> & { max_completion_tokens?: number | null | undefined };

/** OpenAI sampling fields → AI SDK call settings (nulls and absences left to the model's defaults). */
function samplingOf(body: Sampling) {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const stop = body.stop === null || body.stop === undefined ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop];
  return {
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(maxTokens != null ? { maxOutputTokens: maxTokens } : {}),
    ...(stop !== undefined && stop.length > 0 ? { stopSequences: stop } : {}),
    ...(body.seed != null ? { seed: body.seed } : {}),
    ...(body.frequency_penalty != null ? { frequencyPenalty: body.frequency_penalty } : {}),
    ...(body.presence_penalty != null ? { presencePenalty: body.presence_penalty } : {}),
  };
}

function toolsOf(body: ChatRequest): { tools?: ToolSet; toolChoice?: 'auto' | 'none' | 'required' | { type: 'tool'; toolName: string } } {
  if (body.tools === undefined || body.tools.length === 0) return {};
  const tools: ToolSet = Object.fromEntries(
    body.tools.map((t) => [
      t.function.name,
      tool({ ...(t.function.description ? { description: t.function.description } : {}), inputSchema: jsonSchema((t.function.parameters ?? { type: 'object', properties: {} }) as Parameters<typeof jsonSchema>[0]) }),
    ]),
  );
  const choice = body.tool_choice;
  const toolChoice = choice === undefined ? undefined : typeof choice === 'string' ? choice : { type: 'tool' as const, toolName: choice.function.name };
  return { tools, ...(toolChoice === undefined ? {} : { toolChoice }) };
}

/** `response_format` → a JSON output, which llama.cpp enforces with a grammar built from the schema. */
function outputOf(body: ChatRequest) {
  const format = body.response_format;
  if (format?.type === 'json_schema') {
    const schema = (format.json_schema.schema ?? {}) as Parameters<typeof jsonSchema>[0];
    return { output: Output.object({ schema: jsonSchema(schema), name: format.json_schema.name, ...(format.json_schema.description ? { description: format.json_schema.description } : {}) }) };
  }
  if (format?.type === 'json_object') return { output: Output.json() };
  return {};
}

const NOT_YET = Symbol('not yet');
/** Resolves after the current I/O turn: whatever the model produced before it is "ready". */
const nextTurn = () => new Promise<typeof NOT_YET>((resolve) => setImmediate(() => resolve(NOT_YET)));
function concatBytes(parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return joined;
}

const completionId = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface GenerationRequest {
  resolved: ResolvedTextModel;
  messages?: ModelMessage[];
  prompt?: string;
  settings: Record<string, unknown>;
  /** The caller's reserved tokens: settled to the real usage at the end, released on failure or abort. */
  hold: UsageHold;
  /** The caller asked for truncation: the response says what was left out (`shenbi` field). */
  reportFit?: boolean;
}

/**
 * The response's `shenbi` field when truncation was asked for: messages left out and the
 * model's context in tokens (a local model reports them; a cloud model's own limits apply).
 */
function fitReport(request: GenerationRequest, metadata: unknown): Record<string, unknown> {
  if (request.reportFit !== true) return {};
  const local = (metadata as { llamaCpp?: { droppedMessages?: unknown; contextSize?: unknown } } | undefined)?.llamaCpp;
  const dropped = typeof local?.droppedMessages === 'number' ? local.droppedMessages : 0;
  return { shenbi: { dropped_messages: dropped, context_tokens: typeof local?.contextSize === 'number' ? local.contextSize : null } };
}

/**
 * Reserves the prompt's token bound plus the output limit (QUOTA_EXCEEDED when that does not
 * fit) and makes the call stop at that limit, so the reservation covers the whole call.
 */
async function reserveTokens(c: Context<ServerEnv>, services: ServerServices, promptTokens: number, limits: Parameters<typeof outputTokenLimit>[1], purpose: 'chat' | 'completion') {
  const principal = c.get('principal');
  const maxOutputTokens = outputTokenLimit(principal, limits);
  const hold = await services.quotas.hold(principal, { tokens: promptTokens + (maxOutputTokens ?? 0), mediaMs: 0 }, purpose);
  return { hold, limit: maxOutputTokens === undefined ? {} : { maxOutputTokens } };
}

export function registerChatRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'post', path: '/v1/chat/completions', summary: 'OpenAI chat completions: streamed or not, tools, JSON-schema output.', tag: 'openai', scope: 'generate', body: chatRequestSchema }, async (c) => {
    const body = await readJsonBody(c, chatRequestSchema);
    const messages = toModelMessages(body.messages);
    await services.moderator.assertAllowed(body.messages.map((m) => messageText(m.content)), 'the messages', c.req.raw.signal);
    // Shenbi's text models already check streamed output (one moderation layer, not two).
    const resolved = await services.text.language(body.model);
    const { hold, limit } = await reserveTokens(c, services, chatPromptTokenBound(body), body, 'chat');
    const truncate = body.shenbi?.truncate === 'oldest';
    const settings = { ...samplingOf(body), ...limit, ...toolsOf(body), ...outputOf(body), ...(truncate ? { providerOptions: { llamaCpp: { truncate: 'oldest' } } } : {}) };
    const request: GenerationRequest = { resolved, messages, settings, hold, reportFit: truncate };
    return body.stream === true ? streamChat(c, services, request, body.stream_options?.include_usage === true, 'chat') : completeChat(c, services, request, 'chat');
  });

  book.add({ method: 'post', path: '/v1/completions', summary: 'OpenAI legacy completions: the prompt continued as raw text.', tag: 'openai', scope: 'generate', body: completionRequestSchema }, async (c) => {
    const body: CompletionRequest = await readJsonBody(c, completionRequestSchema);
    const prompt = Array.isArray(body.prompt) ? body.prompt[0]! : body.prompt;
    await services.moderator.assertAllowed([prompt], 'the prompt', c.req.raw.signal);
    const resolved = await services.text.language(body.model);
    // Local models continue the text itself instead of answering it as a chat turn.
    const { hold, limit } = await reserveTokens(c, services, completionPromptTokenBound(prompt), body, 'completion');
    const settings = { ...samplingOf(body), ...limit, providerOptions: { llamaCpp: { rawCompletion: true } } };
    const request: GenerationRequest = { resolved, prompt, settings, hold };
    return body.stream === true ? streamChat(c, services, request, body.stream_options?.include_usage === true, 'text') : completeChat(c, services, request, 'text', body.echo === true ? prompt : '');
  });
}

function messageText(content: string | { text: string }[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('\n');
}

function callOptions(c: Context<ServerEnv>, request: GenerationRequest) {
  return {
    model: request.resolved.model,
    ...(request.messages !== undefined ? { messages: request.messages } : { prompt: request.prompt ?? '' }),
    ...request.settings,
    // The client hanging up stops generation.
    abortSignal: c.req.raw.signal,
    maxRetries: 0,
  } as Parameters<typeof generateText>[0];
}

async function completeChat(c: Context<ServerEnv>, services: ServerServices, request: GenerationRequest, shape: 'chat' | 'text', echo = ''): Promise<Response> {
  const result: FinishedGeneration = await generateText(callOptions(c, request)).catch(async (error: unknown) => {
    try {
      // A JSON reply cut off by max_tokens is still an answer (finish_reason "length").
      const cut = unparsedStructuredOutput(error);
      if (cut !== undefined) return cut;
    } catch (notJson) {
      error = notJson;
    }
    await request.hold.release();
    throw toShenbiError(error, 'ENGINE_FAILED');
  });
  const usage = usageOf(result.usage);
  await request.hold.settle({ tokens: usage.total_tokens, mediaMs: 0 });
  const finish = openAiFinishReason(result.finishReason);
  if (shape === 'text') {
    return c.json({ id: completionId('cmpl'), object: 'text_completion', created: nowSeconds(), model: request.resolved.name, choices: [{ index: 0, text: echo + result.text, finish_reason: finish, logprobs: null }], usage });
  }
  const toolCalls = result.toolCalls.map((call) => ({ id: call.toolCallId, type: 'function' as const, function: { name: call.toolName, arguments: JSON.stringify(call.input) } }));
  return c.json({
    id: completionId('chatcmpl'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: request.resolved.name,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: toolCalls.length > 0 && result.text === '' ? null : result.text, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : finish,
        logprobs: null,
      },
    ],
    usage,
    ...fitReport(request, result.providerMetadata),
  });
}

/** Parts that mean the model is answering: from here on the response is committed (200). */
const COMMITTING = new Set(['text-delta', 'tool-call', 'finish', 'finish-step', 'error', 'abort']);

async function streamChat(c: Context<ServerEnv>, services: ServerServices, request: GenerationRequest, includeUsage: boolean, shape: 'chat' | 'text'): Promise<Response> {
  // A local model asked for plain text streams straight from the engine; the rest through the AI SDK.
  const direct = directEngineStream({ model: request.resolved.model, sha256: request.resolved.sha256, ...(request.messages !== undefined ? { messages: request.messages } : { prompt: request.prompt ?? '' }), settings: request.settings, abortSignal: c.req.raw.signal });
  const parts = direct ?? (streamText({ ...callOptions(c, request), onError: () => {} } as Parameters<typeof streamText>[0]).fullStream[Symbol.asyncIterator]() as AsyncIterator<StreamPart>);
  // Read until the model has started answering, so a failure to start (model missing, engine
  // error) is still an HTTP error status rather than an error inside a 200 stream.
  const head: StreamPart[] = [];
  try {
    for (;;) {
      const next = await parts.next();
      if (next.done === true) break;
      if (next.value.type === 'error') throw toShenbiError(next.value.error, 'ENGINE_FAILED');
      head.push(next.value);
      if (COMMITTING.has(next.value.type)) break;
    }
  } catch (error) {
    await request.hold.release();
    throw error;
  }
  const { frame, chunk, text: textFrame } = sseChunks({ id: completionId(shape === 'chat' ? 'chatcmpl' : 'cmpl'), created: nowSeconds(), model: request.resolved.name, shape });
  let toolIndex = 0;
  let sawTool = false;
  let usage: ReturnType<typeof usageOf> | undefined;
  let stepMetadata: unknown;
  let done = false;
  /** One stream part → the SSE frames it becomes; false once the model has finished. */
  const translate = (part: StreamPart, out: Uint8Array[]): boolean => {
    switch (part.type) {
      case 'text-delta': {
        const text = String(part.text ?? '');
        if (text !== '') out.push(textFrame(text));
        return true;
      }
      case 'tool-call':
        sawTool = true;
        out.push(frame(chunk({ delta: { tool_calls: [{ index: toolIndex++, id: part.toolCallId, type: 'function', function: { name: part.toolName, arguments: JSON.stringify(part.input) } }] } })));
        return true;
      case 'finish': {
        usage = usageOf(part.totalUsage as LanguageModelUsage | undefined);
        const reason = sawTool ? 'tool_calls' : openAiFinishReason(part.finishReason as FinishReason);
        out.push(frame(chunk(shape === 'chat' ? { delta: {}, finish_reason: reason } : { text: '', finish_reason: reason }, fitReport(request, stepMetadata))));
        return false;
      }
      case 'error':
        out.push(frame(JSON.stringify(errorBodyFor(c.get('principal'), toShenbiError(part.error, 'ENGINE_FAILED')))));
        return false;
      case 'abort':
        return false;
      case 'finish-step':
        stepMetadata = part.providerMetadata;
        return true;
      default:
        return true;
    }
  };
  const finish = async (out: Uint8Array[]) => {
    done = true;
    // Settled to what the model reports; a stream that failed or was cut off reports nothing and is released.
    if (usage !== undefined) {
      await request.hold.settle({ tokens: usage.total_tokens, mediaMs: 0 });
      if (includeUsage) out.push(frame(chunk(null, { usage })));
    } else await request.hold.release();
    out.push(frame('[DONE]'));
  };
  // A plain ReadableStream pulled by the socket, no extra stream layer between the model and
  // the connection. When the model is ahead of the socket, every part already waiting is taken
  // in the same pull and the text deltas merge into one chunk: one JSON encode, one write and
  // one client parse instead of one per token (measured in bench/server).
  let pending: Promise<IteratorResult<StreamPart>> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const out: Uint8Array[] = [];
      if (shape === 'chat') out.push(frame(chunk({ delta: { role: 'assistant', content: '' } })));
      let open = true;
      for (const part of head) if (open) open = translate(part, out);
      if (!open) await finish(out);
      for (const bytes of out) controller.enqueue(bytes);
      if (done) controller.close();
    },
    async pull(controller) {
      if (done) return;
      const out: Uint8Array[] = [];
      let text = '';
      const flushText = () => {
        if (text !== '') out.push(textFrame(text));
        text = '';
      };
      while (!done) {
        const next = pending ?? parts.next();
        pending = undefined;
        const waited = out.length === 0 && text === '';
        const result = waited ? await next : await Promise.race([next, nextTurn()]);
        if (result === NOT_YET) {
          pending = next;
          break;
        }
        if (result.done !== true && result.value.type === 'text-delta') {
          text += String(result.value.text ?? '');
          continue;
        }
        flushText();
        if (result.done === true || !translate(result.value, out)) await finish(out);
      }
      flushText();
      if (out.length === 1) controller.enqueue(out[0]!);
      else if (out.length > 1) controller.enqueue(concatBytes(out));
      if (done) controller.close();
    },
    async cancel() {
      done = true;
      await request.hold.release();
      await parts.return?.();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' } });
}
