/** What every chunk of one streamed response repeats. */
export interface ChunkHeader {
  id: string;
  created: number;
  model: string;
  /** 'chat': chat.completion.chunk with `delta`; 'text': text_completion with `text`. */
  shape: 'chat' | 'text';
}

/**
 * SSE frames of one streamed OpenAI response. Text deltas, one or more per token, are the hot
 * path: their frame is a fixed prefix and suffix around the JSON-encoded text, made once per
 * response, instead of a whole object serialized per delta. The bytes are the same as
 * `frame(chunk({ delta: { content } }))` (test/server/openai-sse-chunks.test.ts checks).
 */
export function sseChunks(header: ChunkHeader) {
  const object = header.shape === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  const chunk = (choice: Record<string, unknown> | null, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id: header.id, object, created: header.created, model: header.model, choices: choice === null ? [] : [{ index: 0, logprobs: null, finish_reason: null, ...choice }], ...extra });
  const open = `data: ${JSON.stringify({ id: header.id, object, created: header.created, model: header.model }).slice(0, -1)},"choices":[{"index":0,"logprobs":null,"finish_reason":null,`;
  const [textPrefix, textSuffix] = header.shape === 'chat' ? [`${open}"delta":{"content":`, '}}]}\n\n'] : [`${open}"text":`, '}]}\n\n'];
  const encoder = new TextEncoder();
  return {
    /** One SSE event carrying `data`. */
    frame: (data: string) => encoder.encode(`data: ${data}\n\n`),
    /** The JSON of one chunk: `choice` completed with index, logprobs and finish_reason (null: no choices). */
    chunk,
    /** The frame of a text delta. */
    text: (text: string) => encoder.encode(textPrefix + JSON.stringify(text) + textSuffix),
  };
}
