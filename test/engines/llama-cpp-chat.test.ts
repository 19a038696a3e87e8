import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { z } from 'zod';
import { ShenbiError } from '../../src/core/errors.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { QWEN25_CHAT_TEMPLATE, withGgufStrings } from '../helpers/gguf.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const BASE = join(TESTDATA, 'stories260K.gguf');
const dir = mkdtempSync(join(tmpdir(), 'shenbi-llama-chat-'));
// stories260K with Qwen2.5-Instruct's chat template written into its GGUF metadata.
const TEMPLATED = join(dir, 'stories-qwen-template.gguf');
withGgufStrings(BASE, TEMPLATED, { 'tokenizer.chat_template': QWEN25_CHAT_TEMPLATE });

const provider = createLlamaCppProvider({ threads: 1 });
after(async () => {
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
});

const messages = [
  { role: 'system' as const, content: 'You tell short stories.' },
  { role: 'user' as const, content: 'Tell me about a cat.' },
];

test('a model with a chat template is prompted through it; a base model gets plain text', async () => {
  const templated = provider.languageModel(TEMPLATED);
  const base = provider.languageModel(BASE);
  const a = await generateText({ model: templated, messages, temperature: 0, maxOutputTokens: 16 });
  const b = await generateText({ model: base, messages, temperature: 0, maxOutputTokens: 16 });
  await provider.pool.use(TEMPLATED, async (pooled) => assert.equal(pooled.chatWrapper?.constructor.name, 'JinjaTemplateChatWrapper'));
  await provider.pool.use(BASE, async (pooled) => assert.equal(pooled.chatWrapper, null));
  // The template adds its role markers (<|im_start|>system … <|im_start|>assistant) to the prompt.
  assert.ok(a.usage.inputTokens! > b.usage.inputTokens! + 10, `${a.usage.inputTokens} vs ${b.usage.inputTokens}`);
  const again = await generateText({ model: templated, messages, temperature: 0, maxOutputTokens: 16 });
  assert.equal(again.text, a.text);
});

test('rawCompletion bypasses the chat template (the "complete" writing mode)', async () => {
  const templated = provider.languageModel(TEMPLATED);
  const base = provider.languageModel(BASE);
  const raw = await generateText({ model: templated, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 24, providerOptions: { llamaCpp: { rawCompletion: true } } });
  const plain = await generateText({ model: base, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 24 });
  assert.equal(raw.text, plain.text);
});

test('a forced tool call returns arguments that satisfy the tool schema, and the SDK runs the tool', async () => {
  for (const path of [BASE, TEMPLATED]) {
    const calls: { city: string; days: number }[] = [];
    const result = await generateText({
      model: provider.languageModel(path),
      prompt: 'What is the weather in Paris?',
      temperature: 0,
      maxOutputTokens: 80,
      tools: {
        weather: tool({
          description: 'Weather forecast for a city',
          inputSchema: z.object({ city: z.string(), days: z.number().int() }),
          execute: async (input) => {
            calls.push(input);
            return { sunny: true };
          },
        }),
      },
      toolChoice: { type: 'tool', toolName: 'weather' },
    });
    assert.equal(result.finishReason, 'tool-calls');
    assert.equal(result.toolCalls.length, 1);
    assert.equal(result.toolCalls[0]!.toolName, 'weather');
    assert.equal(calls.length, 1);
    z.object({ city: z.string(), days: z.number().int() }).parse(calls[0]);
    assert.deepEqual(result.toolResults[0]!.output, { sunny: true });
  }
});

test('toolChoice "required" picks one of several tools with valid arguments', async () => {
  const result = await generateText({
    model: provider.languageModel(BASE),
    prompt: 'Play a song.',
    temperature: 0,
    maxOutputTokens: 80,
    tools: {
      play: tool({ description: 'Play a song', inputSchema: z.object({ title: z.string() }) }),
      stop: tool({ description: 'Stop playback', inputSchema: z.object({ fade: z.boolean() }) }),
    },
    toolChoice: 'required',
  });
  assert.equal(result.toolCalls.length, 1);
  const call = result.toolCalls[0]!;
  assert.ok(['play', 'stop'].includes(call.toolName));
  if (call.toolName === 'play') z.object({ title: z.string() }).parse(call.input);
  else z.object({ fade: z.boolean() }).parse(call.input);
});

test('a streamed forced tool call arrives as a tool-call part, not as text', async () => {
  const result = streamText({
    model: provider.languageModel(BASE),
    prompt: 'Weather?',
    temperature: 0,
    maxOutputTokens: 80,
    tools: { weather: tool({ inputSchema: z.object({ city: z.string() }) }) },
    toolChoice: 'required',
  });
  let text = '';
  for await (const delta of result.textStream) text += delta;
  assert.equal(text, '');
  const calls = await result.toolCalls;
  assert.equal(calls.length, 1);
  z.object({ city: z.string() }).parse(calls[0]!.input);
});

test('auto tool choice on a base model warns instead of pretending', async () => {
  const result = await generateText({
    model: provider.languageModel(BASE),
    prompt: 'Once upon a time',
    maxOutputTokens: 8,
    tools: { weather: tool({ inputSchema: z.object({ city: z.string() }) }) },
  });
  assert.equal(result.toolCalls.length, 0);
  assert.ok(result.warnings?.some((w) => w.type === 'unsupported' && w.feature === 'tools'));
});

test('an unusable JSON schema is INVALID_INPUT, not an engine crash', async () => {
  await assert.rejects(
    generateText({
      model: provider.languageModel(BASE),
      prompt: 'x',
      maxRetries: 0,
      tools: { bad: tool({ inputSchema: jsonSchema({ type: 'object', properties: { a: { type: 'no-such-type' } } } as never) }) },
      toolChoice: 'required',
    }),
    (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT',
  );
});

test('a chat prompt longer than the context is CONTEXT_OVERFLOW, never silently shifted', async () => {
  await assert.rejects(
    generateText({ model: provider.languageModel(TEMPLATED), maxRetries: 0, messages: [{ role: 'user', content: 'The cat sat. '.repeat(2000) }] }),
    (error: unknown) => error instanceof ShenbiError && error.code === 'CONTEXT_OVERFLOW',
  );
});

test('over the memory budget, the least recently used idle model is unloaded first', async () => {
  const a = join(dir, 'a.gguf');
  const b = join(dir, 'b.gguf');
  const c = join(dir, 'c.gguf');
  for (const p of [a, b, c]) copyFileSync(BASE, p);
  const size = statSync(BASE).size;
  const pool = createLlamaCppProvider({ threads: 1, memoryBudgetBytes: Math.floor(size * 2.5) });
  try {
    const run = (p: string) => generateText({ model: pool.languageModel(p), prompt: 'Hi', maxOutputTokens: 2 });
    await run(a);
    await run(b);
    await run(a); // a is now more recently used than b
    assert.ok(pool.pool.isLoaded(a) && pool.pool.isLoaded(b));
    await run(c);
    assert.equal(pool.pool.isLoaded(b), false, 'b was the least recently used');
    assert.ok(pool.pool.isLoaded(a) && pool.pool.isLoaded(c));
    assert.equal(pool.pool.unloads, 1);
    assert.ok(pool.pool.heldBytes <= size * 2.5);
  } finally {
    await pool.close();
  }
});
