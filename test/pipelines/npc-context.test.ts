import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { ShenbiError } from '../../src/core/errors.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { providerModel, withErrorMapping } from '../../src/engines/providers/index.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { NpcDialogue, type NpcReply, type SentenceSynthesizer } from '../../src/pipelines/npc/npc-dialogue.ts';
import type { NpcSceneInput } from '../../src/pipelines/npc/persona.ts';
import { openStore } from '../../src/store/index.ts';
import { openAIError, startFakeServer } from '../helpers/fake-providers.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * NPC memory against a model's context (stories260K: 2048 tokens): the memory is fitted to
 * the context turn after turn, a persona that cannot fit is refused with the limit, and the
 * model's own error code reaches the caller.
 */
const dir = mkdtempSync(join(tmpdir(), 'shenbi-npc-context-'));
const store = await openStore({ database: `sqlite:${join(dir, 'db.sqlite')}`, blobsDir: join(dir, 'blobs'), governance: implicitLabelRecord('Shenbi') });
const llama = createLlamaCppProvider({ threads: 1 });
after(async () => {
  await llama.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A voice of silence, one 0.2 s clip per sentence: these tests are about the text model. */
const silentVoice: SentenceSynthesizer = async (text) => ({ audio: { sampleRate: 16000, samples: new Float32Array(3200) }, words: [{ text, start: 0, end: 0.2 }] });

function recording(model: LanguageModelV3, prompts: LanguageModelV3CallOptions['prompt'][]): LanguageModelV3 {
  return { ...model, specificationVersion: 'v3', provider: model.provider, modelId: model.modelId, supportedUrls: model.supportedUrls, doGenerate: (o) => model.doGenerate(o), doStream: (o) => (prompts.push(o.prompt), model.doStream(o)) };
}

const scene = (id: string, persona: string): NpcSceneInput => ({ npc: { id, name: 'Smith', persona, language: 'en' }, world: 'A small village at dusk.', quest: 'Find the lost hammer.', player: 'p1' });
const LONG = 'Once upon a time there was a little cat who liked to play in the garden with her friends. '.repeat(6);

async function say(dialogue: NpcDialogue, input: NpcSceneInput, message: string): Promise<NpcReply> {
  const events = dialogue.reply(input, message);
  for (;;) {
    const next = await events.next();
    if (next.done) return next.value;
  }
}

test('a full memory is fitted to the context turn after turn, persona and newest message always sent', async () => {
  // Sixteen remembered turns of ~125 tokens each: far more than stories260K's 2048-token context.
  for (let i = 0; i < 8; i++) {
    await store.conversations.append('npc:smith-mem:p1', [
      { role: 'user', speaker: 'p1', content: `Turn ${i}. ${LONG}` },
      { role: 'assistant', speaker: 'Smith', content: LONG },
    ]);
  }
  const prompts: LanguageModelV3CallOptions['prompt'][] = [];
  const dialogue = new NpcDialogue({ model: recording(llama.languageModel(join(TESTDATA, 'stories260K.gguf')), prompts), synthesize: silentVoice, conversations: store.conversations, maxTokens: 120, temperature: 0 });
  const input = scene('smith-mem', 'A gruff blacksmith who knows every path in the valley.');
  for (const message of ['Where is the hammer?', 'Who took it?', 'Thank you, Smith.']) {
    const reply = await say(dialogue, input, message);
    assert.ok(reply.text.length > 0, `no reply to "${message}"`);
    assert.ok(reply.memoryLeftOut > 0, 'the oldest remembered turns were left out');
    const prompt = prompts.at(-1)!;
    assert.equal(prompt[0]!.role, 'system');
    assert.match(JSON.stringify(prompt[0]), /gruff blacksmith/);
    assert.match(JSON.stringify(prompt.at(-1)), new RegExp(message));
  }
  // Memory keeps every turn; only what is sent to the model is fitted.
  assert.equal((await store.conversations.history('npc:smith-mem:p1', 100)).length, 16 + 6);
});

test('a persona too long for the model is refused with CONTEXT_OVERFLOW and the limit; memory untouched', async () => {
  const dialogue = new NpcDialogue({ model: llama.languageModel(join(TESTDATA, 'stories260K.gguf')), synthesize: silentVoice, conversations: store.conversations, maxTokens: 160, temperature: 0 });
  const persona = LONG.repeat(14).slice(0, 7900);
  await assert.rejects(say(dialogue, scene('smith-long', persona), 'Hello?'), (error: unknown) => {
    assert.ok(error instanceof ShenbiError, String(error));
    assert.equal(error.code, 'CONTEXT_OVERFLOW');
    assert.match(error.message, /persona, world and quest .* at most \d+ tokens/);
    assert.match(error.hint ?? '', /Shorten the persona/);
    assert.equal(error.details?.contextSize, 2048);
    assert.equal(error.details?.limitTokens, 2048 - 160);
    return true;
  });
  assert.equal((await store.conversations.history('npc:smith-long:p1')).length, 0);
});

test("a provider's error keeps its code instead of ENGINE_FAILED 'produced no words'", async () => {
  const fake = await startFakeServer((_req, res) => openAIError(res, 401, 'Incorrect API key provided'));
  try {
    const model = withErrorMapping(providerModel('fake:m', { providers: [{ name: 'fake', kind: 'openai-compatible', baseURL: `${fake.baseURL}/v1` }] }));
    const dialogue = new NpcDialogue({ model, synthesize: silentVoice, conversations: store.conversations });
    await assert.rejects(say(dialogue, scene('smith-cloud', 'A blacksmith.'), 'Hello?'), (error: unknown) => {
      assert.ok(error instanceof ShenbiError, String(error));
      assert.equal(error.code, 'PROVIDER_REJECTED');
      assert.match(error.message, /Incorrect API key/);
      return true;
    });
  } finally {
    await fake.close();
  }
});
