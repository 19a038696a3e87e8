import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { ShenbiError } from '../../src/core/errors.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { peakOf, rmsOf, toDb } from '../../src/media/audio/pcm.ts';
import { SentenceStream } from '../../src/media/text/sentences.ts';
import { NpcDialogue, type NpcEvent, type SentenceSynthesizer } from '../../src/pipelines/npc/npc-dialogue.ts';
import type { NpcSceneInput } from '../../src/pipelines/npc/persona.ts';
import { openStore } from '../../src/store/index.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-npc-'));
const store = await openStore({ database: `sqlite:${join(dir, 'db.sqlite')}`, blobsDir: join(dir, 'blobs'), governance: implicitLabelRecord('Shenbi') });
const llama = createLlamaCppProvider({ threads: 1 });
const espeak = createEspeakEngine();
after(async () => {
  await llama.close();
  await espeak.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Records every prompt the NPC sends, to check memory and persona. */
function recording(model: LanguageModelV3, prompts: LanguageModelV3CallOptions['prompt'][]): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: (o) => { prompts.push(o.prompt); return model.doGenerate(o); },
    doStream: (o) => { prompts.push(o.prompt); return model.doStream(o); },
  };
}

/** The same model, each text delta held back for `delayMs(delta)` milliseconds first. */
function delayed(model: LanguageModelV3, delayMs: (delta: string) => number): LanguageModelV3 {
  return {
    ...model,
    doGenerate: (o) => model.doGenerate(o),
    doStream: async (o) => {
      const result = await model.doStream(o);
      const stream = result.stream.pipeThrough(
        new TransformStream({
          async transform(part, controller) {
            const ms = part.type === 'text-delta' ? delayMs(part.delta) : 0;
            if (ms > 0) await new Promise((r) => setTimeout(r, ms));
            controller.enqueue(part);
          },
        }),
      );
      return { ...result, stream };
    },
  };
}

/** Deltas spaced `ms` apart: writing then always outlasts voicing a sentence. */
const unhurried = (model: LanguageModelV3, ms: number) => delayed(model, () => ms);

/**
 * One stop of `ms` (a slow token) right after the first sentence is complete, as the
 * dialogue's own sentence splitter sees it.
 */
function pausingAfterFirstSentence(model: LanguageModelV3, ms: number): LanguageModelV3 {
  const splitter = new SentenceStream();
  let state: 'writing' | 'pause' | 'done' = 'writing';
  return delayed(model, (delta) => {
    if (state === 'pause') {
      state = 'done';
      return ms;
    }
    if (state === 'writing' && splitter.push(delta).length > 0) state = 'pause';
    return 0;
  });
}

const deadwood: NpcSceneInput = {
  npc: { id: 'guide', name: '向导', persona: 'A friendly guide who helps the player finish every quest. 你熟悉小镇的每个角落。', language: 'zh' },
  world: 'The player is in the town of Deadwood, in the main square.',
  quest: 'Use the key to open the safe behind the bank.',
  player: 'p1',
};

function speaker(calls: { text: string; at: number }[]): SentenceSynthesizer {
  return async (text, options) => {
    calls.push({ text, at: performance.now() });
    return espeak.synthesize({ text, language: options.language, speed: options.speed, ...(options.voice ? { voice: options.voice } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  };
}

async function run(dialogue: NpcDialogue, scene: NpcSceneInput, message: string) {
  const events: NpcEvent[] = [];
  let textDoneAt = 0;
  for await (const event of dialogue.reply(scene, message)) {
    events.push(event);
    if (event.type === 'done') textDoneAt = performance.now() - event.reply.timing.doneMs + event.reply.timing.textDoneMs;
  }
  const done = events.find((e) => e.type === 'done');
  assert.ok(done && done.type === 'done');
  return { events, reply: done.reply, textDoneAt };
}

test('an NPC answers in speech, sentence by sentence while the text is still being written', async () => {
  const prompts: LanguageModelV3CallOptions['prompt'][] = [];
  const calls: { text: string; at: number }[] = [];
  const started = performance.now();
  const dialogue = new NpcDialogue({ model: recording(llama.languageModel(join(TESTDATA, 'stories260K.gguf')), prompts), synthesize: speaker(calls), conversations: store.conversations, maxTokens: 200, temperature: 0 });
  const { events, reply, textDoneAt } = await run(dialogue, deadwood, '我现在在哪，我应该做什么？');

  const sentences = events.filter((e) => e.type === 'sentence');
  const audios = events.filter((e) => e.type === 'audio');
  assert.ok(sentences.length >= 2, `a multi-sentence reply (${sentences.length})`);
  assert.equal(audios.length, sentences.length, 'every sentence is voiced, in order');
  audios.forEach((e, i) => assert.equal(e.type === 'audio' && e.index, i));
  // Pipelining: the voice got the first sentence before the model finished writing.
  assert.ok(calls[0]!.at - started < textDoneAt - started, `first sentence voiced at ${calls[0]!.at - started} ms, text done at ${textDoneAt - started} ms`);
  assert.ok(reply.timing.firstSentenceMs < reply.timing.textDoneMs);

  const seconds = reply.audio.samples.length / reply.audio.sampleRate;
  assert.ok(seconds > 1, `${seconds} s of speech`);
  assert.ok(toDb(rmsOf(reply.audio.samples)) > -40, 'not silent');
  assert.ok(peakOf(reply.audio.samples) <= 1);
  for (let i = 1; i < reply.words.length; i++) assert.ok(reply.words[i]!.start > reply.words[i - 1]!.start, 'word times increase');
  assert.ok(reply.words.at(-1)!.end <= seconds + 1e-6);

  // The persona, world and quest are in the system prompt.
  const system = prompts[0]!.find((m) => m.role === 'system');
  assert.ok(system && system.role === 'system' && system.content.includes('向导') && system.content.includes('Deadwood') && system.content.includes('safe behind the bank'));
});

test('a voiced sentence is handed out as soon as it is ready, while the model is still writing', async () => {
  const dialogue = new NpcDialogue({ model: unhurried(llama.languageModel(join(TESTDATA, 'stories260K.gguf')), 8), synthesize: speaker([]), conversations: store.conversations, maxTokens: 120, temperature: 0 });
  const { events, reply } = await run(dialogue, { ...deadwood, player: 'p-early' }, 'Tell me a story.');
  const first = events.findIndex((e) => e.type === 'audio');
  const textAfter = events.slice(first).filter((e) => e.type === 'text').length;
  assert.ok(first >= 0 && textAfter > 0, `the first sentence's audio came with ${textAfter} text deltas still to come`);
  assert.ok(reply.timing.firstAudioMs < reply.timing.textDoneMs, `first audio at ${reply.timing.firstAudioMs} ms, text done at ${reply.timing.textDoneMs} ms`);
});

test('a voiced sentence does not wait for the next token: it goes out while the model is stalled', async () => {
  const dialogue = new NpcDialogue({ model: pausingAfterFirstSentence(llama.languageModel(join(TESTDATA, 'stories260K.gguf')), 1500), synthesize: speaker([]), conversations: store.conversations, maxTokens: 60, temperature: 0 });
  const { events } = await run(dialogue, { ...deadwood, player: 'p-stall' }, 'Tell me a story.');
  const sentence = events.findIndex((e) => e.type === 'sentence');
  const audio = events.findIndex((e) => e.type === 'audio');
  const nextText = events.findIndex((e, i) => i > sentence && e.type === 'text');
  assert.ok(sentence >= 0 && audio > sentence && nextText > sentence, JSON.stringify({ sentence, audio, nextText }));
  assert.ok(audio < nextText, `the first sentence's audio (event ${audio}) came before the token after the stall (event ${nextText})`);
});

test('conversations remember earlier turns and keep the persona; two NPCs share one model load', async () => {
  const prompts: LanguageModelV3CallOptions['prompt'][] = [];
  const model = recording(llama.languageModel(join(TESTDATA, 'stories260K.gguf')), prompts);
  const dialogue = new NpcDialogue({ model, synthesize: speaker([]), conversations: store.conversations, maxTokens: 60, temperature: 0 });
  const smith = { ...deadwood, npc: { ...deadwood.npc, id: 'smith', name: 'Smith', persona: 'The town blacksmith, gruff but kind.', language: 'en' as const }, player: 'p2' };
  const guard = { ...deadwood, npc: { ...deadwood.npc, id: 'guard', name: 'Guard', persona: 'A bank guard who trusts no one.', language: 'en' as const }, player: 'p2' };

  const first = await run(dialogue, smith, 'Can you fix my sword?');
  await run(dialogue, guard, 'Let me into the bank.');
  await run(dialogue, smith, 'How much will it cost?');

  const third = prompts[2]!;
  const texts = third.flatMap((m) => (m.role === 'system' ? [m.content] : m.content.flatMap((p) => (p.type === 'text' ? [p.text] : []))));
  assert.ok(texts.some((t) => t.includes('Can you fix my sword?')), 'the earlier question is remembered');
  assert.ok(texts.some((t) => t.includes(first.reply.text.slice(0, 20))), 'and the earlier answer');
  assert.ok(!texts.some((t) => t.includes('Let me into the bank.')), 'another NPC’s conversation does not leak in');
  assert.ok(texts[0]!.includes('blacksmith'), 'the persona is still first');
  assert.equal((await store.conversations.history('npc:smith:p2')).length, 4);
  assert.equal(llama.pool.loads, 1, 'every NPC used the one loaded model');
});

test('an empty player message is INVALID_INPUT and leaves memory untouched', async () => {
  const dialogue = new NpcDialogue({ model: llama.languageModel(join(TESTDATA, 'stories260K.gguf')), synthesize: speaker([]), conversations: store.conversations });
  await assert.rejects(async () => {
    for await (const _ of dialogue.reply({ ...deadwood, player: 'p3' }, '   ')) void _;
  }, (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT');
  assert.equal((await store.conversations.history('npc:guide:p3')).length, 0);
});
