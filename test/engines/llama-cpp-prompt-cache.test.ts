import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateText, type ModelMessage } from 'ai';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { QWEN25_CHAT_TEMPLATE, withGgufStrings } from '../helpers/gguf.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const BASE = join(TESTDATA, 'stories260K.gguf');
const dir = mkdtempSync(join(tmpdir(), 'shenbi-llama-cache-'));
const TEMPLATED = join(dir, 'stories-qwen-template.gguf');
withGgufStrings(BASE, TEMPLATED, { 'tokenizer.chat_template': QWEN25_CHAT_TEMPLATE });

// Two lanes of two sequences: kept sequences must be found in either lane.
const provider = createLlamaCppProvider({ threads: 1, lanes: 2, sequences: 4 });
after(async () => {
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A persona long enough that evaluating it again would show (~400 tokens). */
const PERSONA = `You are Lin, the innkeeper of the Red Lantern inn. ${'The inn has warm rooms, hot tea, and a cat named Mochi who sleeps by the fire. '.repeat(12)}`;

async function ask(messages: ModelMessage[]) {
  const result = await generateText({ model: provider.languageModel(TEMPLATED), messages, temperature: 0, maxOutputTokens: 12 });
  return { text: result.text, input: result.usage.inputTokens ?? 0, cached: result.usage.inputTokenDetails.cacheReadTokens ?? 0 };
}

test('the same prompt again is served from the KV cache: only its last token is evaluated, and the reply is the same', async () => {
  const messages: ModelMessage[] = [
    { role: 'system', content: PERSONA },
    { role: 'user', content: 'Is there a room for tonight?' },
  ];
  const first = await ask(messages);
  assert.equal(first.cached, 0, 'nothing cached on a fresh model');
  assert.ok(first.input > 300, `a long prompt (${first.input} tokens)`);
  const second = await ask(messages);
  assert.equal(second.cached, second.input - 1);
  assert.equal(second.text, first.text);
});

test('the next turn of a conversation evaluates only what is new; another persona does not reuse it', async () => {
  const turn1: ModelMessage[] = [
    { role: 'system', content: PERSONA },
    { role: 'user', content: 'What is the name of the cat?' },
  ];
  const a = await ask(turn1);
  const turn2: ModelMessage[] = [...turn1, { role: 'assistant', content: a.text }, { role: 'user', content: 'And where does it sleep?' }];
  const b = await ask(turn2);
  // Everything up to the first turn's prompt is cached (the reply may be rendered differently by the template).
  assert.ok(b.cached >= a.input - 2, `cached ${b.cached} of ${b.input}; the first turn's prompt was ${a.input}`);
  assert.ok(b.input - b.cached <= b.input - a.input + 2, `only the new turn is evaluated (${b.input - b.cached} tokens of ${b.input - a.input} new)`);

  const other = await ask([
    { role: 'system', content: `Arr! A pirate captain speaks. ${'The ship sails at dawn with a crew of forty and a parrot named Pepper. '.repeat(12)}` },
    { role: 'user', content: 'Where are we going?' },
  ]);
  assert.ok(other.cached <= 20, `a different persona shares only the template's opening (${other.cached} tokens)`);
});

test('concurrent requests with one persona: a first wave fills the sequences, a second wave reuses the persona in every one', async () => {
  const wave = (questions: string[]) => Promise.all(questions.map((q) => ask([{ role: 'system', content: PERSONA }, { role: 'user', content: q }])));
  const first = await wave(['Is breakfast included?', 'How much is a room?', 'Can I bring a horse?', 'Is the tea hot?']);
  for (const result of first) assert.ok(result.input > 300);
  // Four sequences in all: now each holds the persona.
  const second = await wave(['Where is the fire?', 'Who is Mochi?', 'Is it quiet at night?', 'When is supper?']);
  assert.ok(second.every((result) => result.cached > 300), `cached: ${second.map((r) => r.cached).join(', ')}`);
});

test('a base model (plain completion, after its BOS token) reuses the cache the same way', async () => {
  const model = provider.languageModel(BASE);
  const prompt = 'Once upon a time there was a little girl named Lily who loved to play in the park. '.repeat(12);
  const first = await generateText({ model, prompt, temperature: 0, maxOutputTokens: 8 });
  const second = await generateText({ model, prompt, temperature: 0, maxOutputTokens: 8 });
  assert.equal(first.usage.inputTokenDetails.cacheReadTokens, 0);
  assert.equal(second.usage.inputTokenDetails.cacheReadTokens, (second.usage.inputTokens ?? 0) - 1);
  assert.equal(second.text, first.text);
});
