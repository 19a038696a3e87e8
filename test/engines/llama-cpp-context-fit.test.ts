import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateText, streamText, type ModelMessage } from 'ai';
import { ShenbiError } from '../../src/core/errors.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { QWEN25_CHAT_TEMPLATE, withGgufStrings } from '../helpers/gguf.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const BASE = join(TESTDATA, 'stories260K.gguf');
const dir = mkdtempSync(join(tmpdir(), 'shenbi-llama-fit-'));
const TEMPLATED = join(dir, 'stories-qwen-template.gguf');
withGgufStrings(BASE, TEMPLATED, { 'tokenizer.chat_template': QWEN25_CHAT_TEMPLATE });

const provider = createLlamaCppProvider({ threads: 1 });
after(async () => {
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
});

const LONG_TURN = 'Once upon a time there was a little cat who liked to play in the garden with her friends. '.repeat(6);
/** A conversation far past stories260K's 2048-token context: the newest question last. */
function longConversation(turns: number): ModelMessage[] {
  const messages: ModelMessage[] = [{ role: 'system', content: 'You tell short stories.' }];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: `Question ${i}: ${LONG_TURN}` });
    messages.push({ role: 'assistant', content: LONG_TURN });
  }
  messages.push({ role: 'user', content: 'Tell me about a dog.' });
  return messages;
}

const truncating = { llamaCpp: { truncate: 'oldest' } };

test("truncate 'oldest' leaves out the oldest turns so a long conversation keeps answering (both prompt paths)", async () => {
  for (const path of [BASE, TEMPLATED]) {
    const model = provider.languageModel(path);
    const messages = longConversation(30);
    // Without opting in the engine refuses rather than cut silently.
    await assert.rejects(generateText({ model, messages, maxOutputTokens: 64, maxRetries: 0 }), (e: unknown) => e instanceof ShenbiError && e.code === 'CONTEXT_OVERFLOW');
    const result = await generateText({ model, messages, maxOutputTokens: 64, temperature: 0, providerOptions: truncating });
    const meta = result.providerMetadata?.llamaCpp as { droppedMessages: number; contextSize: number };
    assert.ok(meta.droppedMessages > 0 && meta.droppedMessages < messages.length - 2, `dropped ${meta.droppedMessages}`);
    assert.equal(meta.contextSize, 2048);
    assert.ok(result.usage.inputTokens! + 64 < meta.contextSize, `${result.usage.inputTokens} prompt tokens`);
    // Fewest turns dropped: one more turn would not have fit.
    assert.ok(result.usage.inputTokens! > meta.contextSize - 64 - 400, `${result.usage.inputTokens} prompt tokens: too much was dropped`);
    assert.ok(result.text.length > 0);
  }
});

test('with truncation and no output limit a quarter of the context stays free for the reply; the stream reports what was dropped', async () => {
  const result = streamText({ model: provider.languageModel(TEMPLATED), messages: longConversation(30), temperature: 0, providerOptions: truncating, maxRetries: 0 });
  const text = await result.text;
  const meta = (await result.providerMetadata)?.llamaCpp as { droppedMessages: number };
  assert.ok(meta.droppedMessages > 0);
  assert.ok((await result.usage).inputTokens! < 2048 - 512);
  assert.ok(text.length > 0);
});

test('when the system prompt and the last message alone do not fit, CONTEXT_OVERFLOW says so', async () => {
  const messages: ModelMessage[] = [...longConversation(2).slice(0, -1), { role: 'user', content: LONG_TURN.repeat(20) }];
  await assert.rejects(generateText({ model: provider.languageModel(TEMPLATED), messages, maxOutputTokens: 64, maxRetries: 0, providerOptions: truncating }), (e: unknown) => {
    assert.ok(e instanceof ShenbiError && e.code === 'CONTEXT_OVERFLOW', String(e));
    assert.match(e.hint ?? '', /last message alone do not fit/);
    assert.equal(e.details?.onlyKeptMessages, true);
    assert.equal(e.details?.contextSize, 2048);
    return true;
  });
});
