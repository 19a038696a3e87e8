import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { generateText } from 'ai';
import { isShenbiError } from '../../src/core/errors.ts';
import type { Artifact } from '../../src/core/artifact.ts';
import type { ArtifactDraft, StepContext } from '../../src/core/step.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { splitText } from '../../src/pipelines/steps/text/long-input.ts';
import { textGenerateStep } from '../../src/pipelines/steps/text/text-generate-step.ts';
import { articleScriptStep, type VideoScript } from '../../src/pipelines/steps/video/article-script-step.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * A long article on a small-context model: the real stories260K GGUF (2,048-token context,
 * 512-token vocabulary, so Chinese costs about three tokens a character) through node-llama-cpp.
 */
const provider = createLlamaCppProvider({ threads: 1 });
after(() => provider.close());

const PARAGRAPHS = [
  '茶最早在中国被人们饮用，已经有几千年的历史。传说神农氏尝百草时发现了茶叶可以解毒，从此茶便进入了人们的生活。唐代的陆羽写下了《茶经》，系统地记录了茶的种植、采摘、制作和饮用方法，被后人尊称为茶圣。',
  '到了宋代，点茶和斗茶成为文人雅士的风尚。人们把茶叶碾成细末，用沸水冲点，再用茶筅击拂出细腻的泡沫。宋徽宗还亲自撰写了《大观茶论》，可见当时饮茶之风的兴盛。',
  '明代以后，散茶逐渐取代了团茶，泡茶的方法也变得简单起来。人们直接用沸水冲泡茶叶，这种方式一直延续到今天。绿茶、红茶、乌龙茶、白茶、黄茶和黑茶六大茶类也在这一时期逐渐形成。',
  '茶叶沿着丝绸之路和茶马古道传到了中亚、西亚和欧洲。十七世纪，荷兰商人把茶叶运到了欧洲，很快在英国流行起来。英国人发展出了下午茶的习俗，加奶加糖的红茶成为他们生活中不可缺少的一部分。',
  '今天，茶已经是世界上仅次于水的第二大饮品。无论是在中国的茶馆里，还是在英国的客厅中，一杯茶都承载着人们对生活的热爱。茶文化也成为中外交流的重要桥梁，让不同国家的人们通过一片树叶相互了解。',
  '在中国，不同的地区有不同的饮茶习惯。广东人喜欢早上去茶楼喝早茶，配上虾饺、烧卖等点心；四川人喜欢在竹椅上慢慢品一碗盖碗茶；福建人则讲究功夫茶，小壶小杯，一泡一泡地细细品味。',
  '种茶需要合适的气候和土壤。茶树喜欢温暖湿润的环境，多生长在南方的山坡上。云南、福建、浙江、安徽和四川都是著名的产茶区。每年春天，茶农们天不亮就上山采茶，只摘最嫩的一芽一叶或一芽两叶，这样做出来的茶才鲜爽可口。',
  '采下来的鲜叶还要经过复杂的加工。绿茶要杀青、揉捻、干燥，保留茶叶的绿色和清香；红茶要萎凋、揉捻、发酵、干燥，让茶汤变得红亮甜润；乌龙茶介于两者之间，需要摇青和半发酵，香气格外丰富。不同的工艺，造就了千变万化的风味。',
  '泡茶也是一门学问。水温、茶量和时间都会影响茶的味道。细嫩的绿茶适合用八十度左右的水，以免烫熟茶叶；红茶和乌龙茶则需要用刚烧开的水，才能把香气充分激发出来。好水配好茶，古人甚至专门评选过天下名泉。',
  '茶具同样讲究。宜兴的紫砂壶透气性好，用久了会吸收茶香；景德镇的白瓷盖碗能清楚地看到茶汤的颜色；玻璃杯适合冲泡龙井这样的名优绿茶，可以欣赏茶叶在水中慢慢舒展的样子。一套合适的茶具，能让喝茶变成一种享受。',
  '近年来，新式茶饮在年轻人中非常流行。奶茶、水果茶和各种创意茶饮店开遍了大街小巷。有人担心传统茶文化会被冷落，也有人认为这正是茶文化在新时代的延续。无论形式怎样变化，人们对一杯好茶的喜爱始终没有改变。',
  '茶还进入了文学和艺术。许多诗人写过咏茶的诗句，画家也常常描绘品茶的场景。茶馆更是热闹的社会舞台，老舍的话剧《茶馆》就通过一间小小的茶馆，展现了半个世纪的社会变迁。一杯茶里，藏着说不完的故事。',
  '在日本，茶道发展成了一种讲究礼仪和精神修养的艺术。茶人们在安静的茶室里，按照严格的程序点茶、奉茶，追求和、敬、清、寂的境界。日本的抹茶，正是从中国宋代的点茶传过去的，至今仍保留着当年的许多做法。',
  '在韩国、越南、印度和土耳其，茶也各有各的喝法。印度人喜欢把红茶和牛奶、香料一起煮，做成香浓的马萨拉茶；土耳其人用双层茶壶煮茶，再倒进郁金香形状的小玻璃杯里；摩洛哥人则爱喝加了薄荷和大量白糖的绿茶，用来招待远方的客人。',
  '从一片小小的树叶出发，茶走过了几千年的历史，跨越了高山和大海，连接起不同的民族和文化。下一次端起茶杯的时候，不妨想一想，这杯茶背后有多少人的辛劳，又有多少动人的故事。',
  '茶对健康也有不少好处。茶叶中含有茶多酚、咖啡因和多种维生素，适量饮茶可以提神醒脑、帮助消化。不过，喝茶也要注意适量，睡前喝浓茶可能会影响睡眠，空腹喝茶也容易让胃不舒服。',
];
const ARTICLE = PARAGRAPHS.join('\n\n');

interface RecordedCall {
  inputTokens: number;
  maxOutputTokens: number;
}

/** The real model, with each call's prompt size as the model counted it and its output limit recorded. */
function recording(model: LanguageModelV3, calls: RecordedCall[]): LanguageModelV3 {
  const record = (options: LanguageModelV3CallOptions, inputTokens: number | undefined) => calls.push({ inputTokens: inputTokens ?? Number.NaN, maxOutputTokens: options.maxOutputTokens ?? 0 });
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: async (options) => {
      const result = await model.doGenerate(options);
      record(options, result.usage.inputTokens.total);
      return result;
    },
    doStream: async (options) => {
      const result = await model.doStream(options);
      let inputTokens: number | undefined;
      const stream = result.stream.pipeThrough(
        new TransformStream({
          transform(part, controller) {
            if (part.type === 'finish') inputTokens = part.usage.inputTokens.total;
            controller.enqueue(part);
          },
          flush: () => void record(options, inputTokens),
        }),
      );
      return { ...result, stream };
    },
  };
}

function stepContext(artifacts: ArtifactDraft[], progress: string[]): StepContext {
  return {
    jobId: 'job_test',
    stepId: 'script',
    attempt: 1,
    caller: { tenant: null, localFiles: true },
    signal: new AbortController().signal,
    progress: (update) => void progress.push(update.message ?? ''),
    partial: () => undefined,
    writeArtifact: async (draft) => {
      artifacts.push(draft);
      return { id: `art_${artifacts.length}` } as Artifact;
    },
    readArtifact: async () => {
      throw new Error('not used');
    },
  } as StepContext;
}

test('splitText cuts between paragraphs, then sentences, never over the limit, losing nothing', () => {
  const pieces = splitText(ARTICLE, 200);
  assert.ok(pieces.length >= ARTICLE.length / 200);
  for (const piece of pieces) assert.ok(piece.length <= 200, `${piece.length} characters`);
  assert.equal(pieces.join('').replace(/\s/g, ''), ARTICLE.replace(/\s/g, ''));
  assert.ok(pieces.every((piece) => /[。！？]$/.test(piece)), 'every piece ends at a sentence end');
  assert.deepEqual(splitText('a'.repeat(25), 10), ['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
});

test('a 1,500+ character article on a 2,048-token model: the script is written (map-reduce), and every model call fits the context', async () => {
  assert.ok(ARTICLE.length >= 1500, `${ARTICLE.length} characters`);
  const base = provider.languageModel(join(TESTDATA, 'stories260K.gguf'));
  // The article alone, as one prompt, is more than the context holds: this is the failure being fixed.
  const whole = await generateText({ model: base, prompt: ARTICLE, maxOutputTokens: 16, maxRetries: 0 }).then(() => undefined, (e: unknown) => e);
  assert.ok(isShenbiError(whole) && whole.code === 'CONTEXT_OVERFLOW', String(whole));
  const contextSize = Number((whole.details as { contextSize: number }).contextSize);
  assert.equal(contextSize, 2048);

  const calls: RecordedCall[] = [];
  const model = recording(base, calls);
  const step = articleScriptStep(async () => ({ model, name: 'stories260k', sha256: null, engine: { id: 'llama.cpp', version: 'test' } }));
  const artifacts: ArtifactDraft[] = [];
  const progress: string[] = [];
  const out = (await step.run(stepContext(artifacts, progress), { article: ARTICLE, scenes: 3, seed: 7 })) as { script: VideoScript };
  assert.equal(out.script.scenes.length, 3);
  assert.ok(out.script.scenes.every((scene) => scene.narration.length >= 4 && scene.caption.length >= 1));
  assert.equal(artifacts[0]?.parameters?.condensed, true, 'provenance says the article was condensed');
  assert.ok(progress.some((m) => /condensing the article/.test(m)));

  // Every call that ran (the map calls and the final script) fits: its prompt plus its output limit within the context.
  assert.ok(calls.length >= 2, `${calls.length} model calls`);
  for (const call of calls) {
    assert.ok(Number.isFinite(call.inputTokens) && call.inputTokens > 0, 'the model reported the prompt size');
    assert.ok(call.inputTokens + call.maxOutputTokens <= contextSize, `a call of ${call.inputTokens} + ${call.maxOutputTokens} tokens in a ${contextSize}-token context`);
  }
});

test('rewriting and continuing a 1,500+ character text on the same model: done piece by piece (or from its end), every call within the context', async () => {
  const base = provider.languageModel(join(TESTDATA, 'stories260K.gguf'));
  for (const mode of ['rewrite', 'continue'] as const) {
    const calls: RecordedCall[] = [];
    const model = recording(base, calls);
    const step = textGenerateStep(async () => ({ model, name: 'stories260k', sha256: null, engine: { id: 'llama.cpp', version: 'test' } }));
    const artifacts: ArtifactDraft[] = [];
    const out = (await step.run(stepContext(artifacts, []), { prompt: ARTICLE, mode, maxTokens: 128, temperature: 0.7, topP: 1, seed: 3 })) as { text: string };
    assert.ok(out.text.trim().length > 0, `${mode}: some text came back`);
    const ran = calls.filter((call) => Number.isFinite(call.inputTokens));
    assert.ok(ran.length >= (mode === 'rewrite' ? 2 : 1), `${mode}: ${ran.length} calls`);
    for (const call of ran) assert.ok(call.inputTokens + call.maxOutputTokens <= 2048, `${mode}: a call of ${call.inputTokens} + ${call.maxOutputTokens} tokens`);
  }
});
