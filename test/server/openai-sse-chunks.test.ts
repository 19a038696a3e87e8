import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sseChunks } from '../../src/server/openai/sse-chunks.ts';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const TEXTS = ['Once', ' upon a "time"', 'back\\slash\nnew line\ttab', '中文 😀 \u2028\u2029', '\u0000\u001f</script>', ''];

test('a text delta frame has the bytes of the whole chunk serialized, for chat and text completions', () => {
  for (const shape of ['chat', 'text'] as const) {
    const sse = sseChunks({ id: 'chatcmpl-1"x', created: 1_700_000_000, model: 'stories"260k', shape });
    for (const text of TEXTS) {
      const whole = decode(sse.frame(sse.chunk(shape === 'chat' ? { delta: { content: text } } : { text })));
      assert.equal(decode(sse.text(text)), whole);
      const parsed = JSON.parse(decode(sse.text(text)).slice('data: '.length)) as { object: string; choices: { delta?: { content: string }; text?: string; finish_reason: null; index: number }[] };
      assert.equal(parsed.object, shape === 'chat' ? 'chat.completion.chunk' : 'text_completion');
      assert.equal(shape === 'chat' ? parsed.choices[0]!.delta!.content : parsed.choices[0]!.text, text);
    }
  }
});
