/**
 * The HTTP side of bench/server.ts's chat measurement, in its own process as a real client
 * would be: on each "run" message it streams one chat completion with the official openai
 * client and replies with the tokens per second it saw.
 */
import OpenAI from 'openai';

const [url, tokens] = [process.argv[2]!, Number(process.argv[3])];
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });

process.on('message', async (message: { prompt: string }) => {
  const start = performance.now();
  const stream = await client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: message.prompt }], temperature: 0, max_tokens: tokens, stream: true, stream_options: { include_usage: true } });
  let count = 0;
  for await (const chunk of stream) if (chunk.usage) count = chunk.usage.completion_tokens;
  process.send!({ tps: count / ((performance.now() - start) / 1000), tokens: count });
});
process.send!({ ready: true });
