import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).strict();
const content = z.union([z.string(), z.array(textPart)]);

const toolCall = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string() }).strict(),
  })
  .strict();

export const chatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('developer'), content, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('user'), content, name: z.string().optional() }).strict(),
  z
    .object({
      role: z.literal('assistant'),
      content: content.nullable().optional(),
      name: z.string().optional(),
      tool_calls: z.array(toolCall).optional(),
      refusal: z.string().nullable().optional(),
    })
    .strict(),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string().min(1) }).strict(),
]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const toolSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        description: z.string().max(10_000).optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      })
      .strict(),
  })
  .strict();

export const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }).strict() }).strict(),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: z.string().min(1).max(64),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        })
        .strict(),
    })
    .strict(),
]);

const sampling = {
  model: z.string().min(1).max(200),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  n: z.literal(1).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).strict().nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  user: z.string().max(256).optional(),
};

/**
 * Shenbi's own request options (an OpenAI SDK sends them with `extra_body`). `truncate:
 * "oldest"` asks a local model to leave out the oldest turns that do not fit its context
 * (system messages and the last user message are always kept) instead of refusing with
 * CONTEXT_OVERFLOW, as OpenAI's API does and Shenbi does by default.
 */
export const shenbiChatOptionsSchema = z.object({ truncate: z.enum(['none', 'oldest']).optional() }).strict();

/** POST /v1/chat/completions. Unknown fields are refused with their path. */
export const chatRequestSchema = z
  .object({
    ...sampling,
    messages: z.array(chatMessageSchema).min(1).max(10_000),
    max_completion_tokens: z.number().int().min(1).max(1_000_000).nullable().optional(),
    tools: z.array(toolSchema).max(128).optional(),
    tool_choice: toolChoiceSchema.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: responseFormatSchema.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    store: z.boolean().nullable().optional(),
    logprobs: z.literal(false).nullable().optional(),
    shenbi: shenbiChatOptionsSchema.optional(),
  })
  .strict();
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** POST /v1/completions (legacy): the prompt continued as raw text. */
export const completionRequestSchema = z
  .object({
    ...sampling,
    prompt: z.union([z.string(), z.array(z.string()).length(1)]),
    echo: z.boolean().nullable().optional(),
    suffix: z.null().optional(),
    best_of: z.literal(1).nullable().optional(),
    logprobs: z.null().optional(),
  })
  .strict();
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
