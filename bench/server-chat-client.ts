/**
 * The HTTP side of the chat measurements (bench/server.ts, bench/serving.ts), in its own
 * process as a real client would be: on each message it streams `streams` chat completions at
 * once (default 1) with the official openai client and replies with the aggregate tokens per
 * second it saw, the tokens, and the median time from sending a request to its first content.
 * argv: base URL (without /v1), max tokens, model name (default stories260k).
 */
import OpenAI from 'openai';

const [url, tokens, model] = [process.argv[2]!, Number(process.argv[3]), process.argv[4] ?? 'stories260k'];
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });

async function oneStream(prompt: string, start: number): Promise<{ tokens: number; firstMs: number }> {
  const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }], temperature: 0, max_tokens: tokens, stream: true, stream_options: { include_usage: true } });
  let count = 0;
  let firstMs = 0;
  for await (const chunk of stream) {
    if (firstMs === 0 && (chunk.choices[0]?.delta?.content ?? '') !== '') firstMs = performance.now() - start;
    if (chunk.usage) count = chunk.usage.completion_tokens;
  }
  return { tokens: count, firstMs };
}

process.on('message', async (message: { prompt: string; streams?: number }) => {
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: message.streams ?? 1 }, () => oneStream(message.prompt, start)));
  const seconds = (performance.now() - start) / 1000;
  const count = results.reduce((sum, r) => sum + r.tokens, 0);
  const firsts = results.map((r) => r.firstMs).sort((a, b) => a - b);
  process.send!({ tps: count / seconds, tokens: count, ttftMs: firsts[Math.floor(firsts.length / 2)]! });
});
process.send!({ ready: true });
