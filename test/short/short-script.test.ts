import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { DEFAULT_TEXT_MODEL } from '../../src/config/load.ts';
import type { Artifact } from '../../src/core/artifact.ts';
import { ShenbiError } from '../../src/core/errors.ts';
import type { ArtifactDraft, StepContext } from '../../src/core/step.ts';
import { parseShortScript, sceneCountFor, shortScriptJsonSchema, tagSoundCues, narrationBudget, ideaToScript } from '../../src/engines/short/script/index.ts';
import { shortScriptSchema, SHORT_LIMITS, type ShortScript, type ShortScriptInput } from '../../src/engines/short/short-script.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { ModelManager } from '../../src/models/index.ts';
import { shortScriptStep } from '../../src/pipelines/steps/short/short-script-step.ts';
import { createTextModelResolver } from '../../src/pipelines/steps/text/default-resolver.ts';
import type { TextModelResolver } from '../../src/pipelines/steps/text/model-resolver.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * The script of a short: written by a text model (here the AI SDK's scripted mock model, as the
 * other text-model tests do), or read from the user's plain text or JSON; sound cues by rule.
 */

function answer(text: string): LanguageModelV3GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 10, text: 10, reasoning: 0 } },
    warnings: [],
  };
}

/** A model that answers each call with the next scripted text (the last one repeats). */
function scripted(texts: string[]): MockLanguageModelV3 {
  let call = 0;
  return new MockLanguageModelV3({ doGenerate: async () => answer(texts[Math.min(call++, texts.length - 1)]!) });
}

function promptText(options: LanguageModelV3CallOptions): string {
  return JSON.stringify(options.prompt);
}

function resolverOf(model: MockLanguageModelV3): TextModelResolver {
  return async () => ({ model, name: 'scripted', sha256: null, engine: { id: 'test', version: '1' } });
}

function stepContext(artifacts: ArtifactDraft[], progress: string[] = []): StepContext {
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

async function rejection(promise: Promise<unknown>): Promise<ShenbiError> {
  const error = await promise.then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ShenbiError, `a ShenbiError, got ${String(error)}`);
  return error;
}

function rejectionOf(call: () => unknown): ShenbiError {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof ShenbiError, `a ShenbiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

/** Six scenes, as a model writes them: two with no sounds of their own (the rules fill those). */
const SIX_SCENES: ShortScriptInput = {
  title: '城市的雨夜',
  mood: 'lyrical',
  scenes: [
    { narration: '夜幕降临，城市下起了小雨，霓虹灯在水洼里闪烁。', caption: '雨夜', visual: 'Neon lights reflected in puddles on a rainy city street at night', mood: 'lyrical', sounds: [{ effect: 'rain', at: 'start' }] },
    { narration: '行人撑着伞匆匆走过，脚步声此起彼伏。', caption: '匆匆', visual: 'Pedestrians with umbrellas hurrying across a crosswalk', mood: 'gentle', sounds: [] },
    { narration: '街角的小店还亮着灯，老板在收拾桌椅。', caption: '街角小店', visual: 'A small corner shop with warm light, the owner stacking chairs', mood: 'warm', sounds: [] },
    { narration: '远处传来一声雷鸣，雨下得更大了。', caption: '雷声', visual: 'Lightning over skyscrapers in heavy rain', mood: 'melancholy', sounds: [{ effect: 'thunder', at: 'start' }] },
    { narration: '一辆公交车缓缓驶来，车窗上满是雨滴。', caption: '末班车', visual: 'A bus arriving at a stop, raindrops on its windows', mood: 'gentle', sounds: [{ effect: 'whoosh', at: 'middle' }] },
    { narration: '回家的路上，雨声陪着每一个晚归的人。', caption: '晚安', visual: 'A lone figure walking home under an umbrella, street lamps glowing', mood: 'warm', sounds: [{ effect: 'rain', at: 'end' }] },
  ],
};

test('the step writes a 30-second script through the text model: six scenes asked for with the JSON schema, validated, sound cues tagged where the model gave none', async () => {
  const model = scripted([JSON.stringify(SIX_SCENES)]);
  const artifacts: ArtifactDraft[] = [];
  const step = shortScriptStep(resolverOf(model));
  const out = (await step.run(stepContext(artifacts), { idea: '  城市雨夜里的温暖瞬间  ', duration: 30, seed: 11 })) as { script: ShortScript; document: string; scenes: number; source: string; warnings?: string[] };
  assert.equal(out.source, 'text-model');
  assert.equal(out.scenes, 6);
  assert.equal(out.warnings, undefined, 'nothing was repaired');
  const parsed = shortScriptSchema.parse(out.script);
  assert.deepEqual(parsed, out.script, 'the output is a valid ShortScript as it stands');
  assert.equal(out.script.language, 'zh', 'auto: Han characters in the idea');
  assert.equal(out.script.title, '城市的雨夜');
  // The model's own cues are kept; scenes without any get them by rule.
  assert.deepEqual(out.script.scenes[0]!.sounds, [{ effect: 'rain', at: 'start' }]);
  assert.deepEqual(out.script.scenes[1]!.sounds.map((c) => c.effect), ['footsteps'], '走过 / 脚步 → footsteps');
  assert.deepEqual(out.script.scenes[2]!.sounds, [{ effect: 'whoosh', at: 'start' }], 'nothing to match: a transition whoosh');
  assert.deepEqual(out.script.scenes[4]!.sounds, [{ effect: 'whoosh', at: 'middle' }]);

  // One request, constrained to the script's JSON schema with exactly six scenes, seeded, carrying the idea (trimmed).
  assert.equal(model.doGenerateCalls.length, 1);
  const call = model.doGenerateCalls[0]!;
  assert.equal(call.responseFormat?.type, 'json');
  const schema = call.responseFormat?.type === 'json' ? (call.responseFormat.schema as { properties: { scenes: { minItems: number; maxItems: number } } }) : undefined;
  assert.deepEqual(schema, shortScriptJsonSchema({ scenes: 6, cuesPerScene: 2 }));
  assert.equal(schema?.properties.scenes.minItems, 6);
  assert.equal(schema?.properties.scenes.maxItems, 6);
  assert.equal(call.seed, 11);
  const prompt = promptText(call);
  assert.match(prompt, /Idea: 城市雨夜里的温暖瞬间\\n/);
  assert.match(prompt, /exactly 6 scenes, each narration about 16 Chinese characters/);

  // The document: the same script, as JSON.
  assert.equal(artifacts.length, 1);
  assert.equal(out.document, 'art_1');
  assert.equal(artifacts[0]!.mimeType, 'application/json');
  assert.equal(artifacts[0]!.name, 'short-script.json');
  assert.deepEqual(JSON.parse(Buffer.from(artifacts[0]!.bytes).toString('utf8')), out.script);
  assert.deepEqual(artifacts[0]!.model, { name: 'scripted', sha256: null });
});

test('text that is not JSON, then a valid script: the parse error goes back to the model, the second script is taken, with a warning', async () => {
  const english: ShortScriptInput = {
    title: 'Morning Run',
    mood: 'energetic',
    scenes: [
      { narration: 'The alarm rings at six, and the city is still asleep.', caption: 'Six a.m.', visual: 'An alarm clock at dawn', mood: 'gentle', sounds: [] },
      { narration: 'Shoes on, door open, and the cold air wakes you up.', caption: 'Go', visual: 'Running shoes at a door', mood: 'energetic', sounds: [] },
      { narration: 'By the river, the crowd of runners cheers as the sun comes up.', caption: 'Sunrise', visual: 'Runners by a river at sunrise', mood: 'energetic', sounds: [] },
    ],
  };
  const model = scripted(['Here is your script: a morning run!', JSON.stringify(english)]);
  const artifacts: ArtifactDraft[] = [];
  const progress: string[] = [];
  const out = (await shortScriptStep(resolverOf(model)).run(stepContext(artifacts, progress), { idea: 'a morning run before work', duration: 15 })) as { script: ShortScript; warnings?: string[]; source: string };
  assert.equal(model.doGenerateCalls.length, 2);
  const second = promptText(model.doGenerateCalls[1]!);
  assert.match(second, /That script is not valid/);
  assert.match(second, /not JSON/);
  assert.match(second, /Here is your script/, 'the failed answer is echoed back');
  assert.equal(out.source, 'text-model');
  assert.equal(out.script.language, 'en');
  assert.equal(out.script.title, 'Morning Run');
  assert.ok(out.warnings?.some((w) => /script 1 was not valid \(.*not JSON.*\); it was asked again/.test(w)), JSON.stringify(out.warnings));
  assert.ok(progress.some((m) => m.startsWith('warning: ')), 'warnings are reported as progress too');
  assert.deepEqual(artifacts[0]!.parameters?.warnings, out.warnings, 'and recorded in provenance');
  assert.deepEqual(out.script.scenes.map((s) => s.sounds.map((c) => c.effect)), [['whoosh'], [], ['applause', 'crowd']], 'scene 2 follows a whoosh: no second one in a row');
});

test('what can be mended is mended with a warning; what cannot goes back to the model; three failures end in ENGINE_FAILED with the script hint', async () => {
  const mendable = {
    title: 'Tea',
    mood: 'dreamy',
    scenes: [
      { narration: 'Steam rises from the cup.', caption: 'A caption far too long to be shown large on a phone screen, going on and on', visual: 'A teacup', mood: 'warm', sounds: [{ effect: 'kettle', at: 'start' }, { effect: 'chime', at: 'later' }] },
      { narration: 'The first sip is warm.', caption: 'Sip', visual: 'Hands around a cup', mood: 'warm', sounds: [] },
      { narration: 'And the day can begin.', caption: 'Begin', visual: 'A window at dawn', mood: 'warm', sounds: [] },
    ],
  };
  const made = await ideaToScript({ model: scripted([JSON.stringify(mendable)]), idea: 'tea', seconds: 15, language: 'en' });
  assert.equal(made.script.mood, 'warm');
  assert.ok(made.script.scenes[0]!.caption.length <= SHORT_LIMITS.maxCaptionChars && made.script.scenes[0]!.caption.startsWith('A caption far too long'));
  assert.deepEqual(made.script.scenes[0]!.sounds, [{ effect: 'chime', at: 'start' }]);
  for (const pattern of [/mood "dreamy"/, /scene 1: the caption was cut/, /scene 1: 1 sound cue\(s\) not among the effects/, /scene 1: 1 sound cue\(s\) at a place other/]) {
    assert.ok(made.warnings.some((w) => pattern.test(w)), `${pattern}: ${JSON.stringify(made.warnings)}`);
  }

  const wordy = { ...mendable, mood: 'warm', scenes: mendable.scenes.map((scene) => ({ ...scene, caption: 'c', sounds: [], narration: 'word '.repeat(60).trim() })) };
  const long = await ideaToScript({ model: scripted([JSON.stringify(wordy)]), idea: 'tea', seconds: 15, language: 'en' });
  assert.deepEqual(long.warnings, ['the narration runs about 56 s, longer than the 15 s asked for; the short will be longer']);

  const unmendable = { title: 'Tea', mood: 'warm', scenes: [{ narration: '', caption: '', visual: '', mood: 'warm', sounds: [] }, { narration: 'x'.repeat(500), caption: '', visual: '', mood: 'warm', sounds: [] }] };
  const model = scripted([JSON.stringify(unmendable)]);
  const retries: string[] = [];
  const error = await rejection(ideaToScript({ model, idea: 'tea', seconds: 15, language: 'en', onRetry: (_a, errors) => retries.push(errors) }));
  assert.equal(error.code, 'ENGINE_FAILED');
  assert.match(error.message, /no valid script in 3 attempts/);
  assert.match(error.message, /scenes\.0\.narration/);
  assert.match(error.message, /scenes\.1\.narration/);
  assert.match(error.hint ?? '', /--set script=/);
  assert.equal(model.doGenerateCalls.length, 3);
  assert.equal(retries.length, 3);
  assert.match(promptText(model.doGenerateCalls[1]!), /scenes\.0\.narration/, 'the zod errors went back to the model');
});

test('plain-text scripts: first line the title, a scene per further line, `caption | narration`, blank lines and list markers ignored (zh and en)', () => {
  const zh = parseShortScript('\n  春节回家  \n\n1. 火车站 | 腊月二十八，火车站里人山人海。\n2、 一路向北，窗外的雪越下越大。\n\n团圆｜推开家门，妈妈的饺子已经下锅。\n');
  assert.equal(zh.title, '春节回家');
  assert.equal(zh.language, 'zh');
  assert.equal(zh.mood, 'warm');
  assert.deepEqual(
    zh.scenes.map((s) => [s.caption, s.narration]),
    [
      ['火车站', '腊月二十八，火车站里人山人海。'],
      ['', '一路向北，窗外的雪越下越大。'],
      ['团圆', '推开家门，妈妈的饺子已经下锅。'],
    ],
  );
  assert.equal(zh.scenes[1]!.visual, zh.scenes[1]!.narration, 'the picture illustrates the narration');
  assert.deepEqual(shortScriptSchema.parse(zh), zh);

  const en = parseShortScript('How Bees Talk\r\nThe dance | A honeybee dances to tell her sisters where the flowers are.\r\n- The angle of the dance points the way to the sun.\r\n3.5 million flowers a year feed one hive.');
  assert.equal(en.title, 'How Bees Talk');
  assert.equal(en.language, 'en');
  assert.deepEqual(en.scenes.map((s) => s.caption), ['The dance', '', '']);
  assert.equal(en.scenes[1]!.narration, 'The angle of the dance points the way to the sun.');
  assert.equal(en.scenes[2]!.narration, '3.5 million flowers a year feed one hive.', 'a number is not a list marker');
  assert.ok(en.scenes.every((s) => s.sounds.length === 0), 'cues are the tagger’s job');

  // Typed on one shell line: `--set script="Bees\nThey dance.\nThey hum."` arrives with literal backslash-n.
  const oneLine = parseShortScript(String.raw`Bees\nThey dance. | They dance to show the way.\nThey hum.`);
  assert.equal(oneLine.title, 'Bees');
  assert.deepEqual(oneLine.scenes.map((s) => [s.caption, s.narration]), [['They dance.', 'They dance to show the way.'], ['', 'They hum.']]);
});

test('a JSON script is validated by the schema; its defaults are filled in', () => {
  const script = parseShortScript(JSON.stringify({ title: 'Bees', scenes: [{ narration: 'Bees dance.', sounds: [{ effect: 'pop' }] }, { narration: '蜜蜂会跳舞。' }] }));
  assert.equal(script.mood, 'warm');
  assert.equal(script.language, 'zh', 'Han characters in a narration');
  assert.deepEqual(script.scenes[0], { narration: 'Bees dance.', caption: '', visual: '', sounds: [{ effect: 'pop', at: 'start' }] });
  assert.equal(parseShortScript(JSON.stringify({ ...SIX_SCENES, language: 'en' })).language, 'en', 'a language given is kept');
});

test('bad scripts: INVALID_INPUT saying what is wrong and where', () => {
  const cases: [string, RegExp][] = [
    ['   \n  ', /the script is empty/],
    ['Only a title', /a title but no scenes/],
    [`Title\n${Array.from({ length: 31 }, (_, i) => `scene ${i + 1}`).join('\n')}`, /31 scenes .*at most 30, and line 32 is scene 31/],
    [`Title\nfine\n\n${'x'.repeat(401)}`, /^line 4: the narration is 401 characters; a scene says at most 400/],
    [`Title\n${'c'.repeat(61)} | narration`, /^line 2: the caption is 61 characters/],
    ['Title\ncaption only |', /^line 2: the scene has a caption but nothing to say/],
    [`${'t'.repeat(61)}\nscene`, /^line 1 \(the title\) is 61 characters/],
    ['{"title": "x", "scenes": [', /starts with "\{" but is not valid JSON/],
    [JSON.stringify({ title: 'x', scenes: [{ narration: 'hi', sounds: [{ effect: 'kazoo' }] }], extra: 1 }), /script\.scenes\.0\.sounds\.0\.effect[\s\S]*Unrecognized key[\s\S]*extra/],
    [JSON.stringify({ title: 'x', scenes: [] }), /script\.scenes/],
  ];
  for (const [text, pattern] of cases) {
    const error = rejectionOf(() => parseShortScript(text));
    assert.equal(error.code, 'INVALID_INPUT', text.slice(0, 40));
    assert.match(error.message, pattern);
  }
});

test('bad step inputs: INVALID_INPUT with clear messages, before any model is asked', async () => {
  const model = scripted([JSON.stringify(SIX_SCENES)]);
  const step = shortScriptStep(resolverOf(model));
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ idea: '' }, /give an idea \(one sentence: what the short is about\) or a script/],
    [{ idea: '   ' }, /give an idea/],
    [{}, /give an idea/],
    [{ idea: '长'.repeat(5000) }, /the idea is 5000 characters; an idea has at most 2000/],
    [{ idea: 'a walk', duration: 0 }, /duration: the duration must be 15–180 seconds/],
    [{ idea: 'a walk', duration: 3600 }, /duration: the duration must be 15–180 seconds/],
    [{ idea: 'a walk', duration: 20.5 }, /whole number of seconds/],
    [{ idea: 'a walk', language: 'fr' }, /language/],
  ];
  for (const [inputs, pattern] of cases) {
    for (const call of [() => step.run(stepContext([]), inputs), async () => step.cacheSalt!(inputs, { tenant: null, localFiles: true })]) {
      const error = await rejection(call());
      assert.equal(error.code, 'INVALID_INPUT', JSON.stringify(inputs).slice(0, 60));
      assert.match(error.message, pattern);
    }
  }
  assert.equal(model.doGenerateCalls.length, 0);
});

test('no text model installed and no script: MODEL_NOT_INSTALLED with the pull command, and the hint names --set script=…; a script given needs no model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shenbi-short-script-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const resolve = createTextModelResolver({
    models: new ModelManager({ modelsDir: join(dir, 'models') }),
    llama: () => assert.fail('no local model may be loaded'),
    providers: [],
    defaultModel: DEFAULT_TEXT_MODEL,
  });
  const step = shortScriptStep(resolve);
  for (const call of [() => step.run(stepContext([]), { idea: '一只猫的周末' }), async () => step.cacheSalt!({ idea: '一只猫的周末' }, { tenant: null, localFiles: true })]) {
    const error = await rejection(call());
    assert.equal(error.code, 'MODEL_NOT_INSTALLED');
    assert.match(error.message, new RegExp(`The model ${DEFAULT_TEXT_MODEL} is not installed\\. Fetch it with: shenbi models pull ${DEFAULT_TEXT_MODEL}`));
    assert.match(error.hint ?? '', new RegExp(`^shenbi models pull ${DEFAULT_TEXT_MODEL} — or write the script yourself: --set script=`));
    assert.match(error.hint ?? '', /first line the title, then one line per scene/);
  }

  const artifacts: ArtifactDraft[] = [];
  const inputs = { idea: 'ignored when a script is given', script: '一只猫的周末\n周六早上，猫咪在窗台上晒太阳。\n下午突然下起了雨。', language: 'auto' };
  assert.deepEqual(await step.cacheSalt!(inputs, { tenant: null, localFiles: true }), { source: 'given' });
  const out = (await step.run(stepContext(artifacts), inputs)) as { script: ShortScript; source: string; scenes: number };
  assert.equal(out.source, 'given');
  assert.equal(out.scenes, 2);
  assert.equal(out.script.language, 'zh');
  assert.deepEqual(out.script.scenes.map((s) => s.sounds.map((c) => c.effect)), [['whoosh'], ['rain', 'pop']]);
  assert.equal(artifacts[0]!.model, null);
  assert.equal(artifacts[0]!.name, 'short-script.json');
  const forced = (await step.run(stepContext([]), { ...inputs, language: 'en' })) as { script: ShortScript };
  assert.equal(forced.script.language, 'en', 'a language given wins over detection');
  // `--set script='{…}'` arrives as an object (the CLI parses JSON values): read like the JSON text.
  const asObject = (await step.run(stepContext([]), { script: SIX_SCENES })) as { script: ShortScript; source: string };
  assert.equal(asObject.source, 'given');
  assert.equal(asObject.script.title, '城市的雨夜');
  assert.deepEqual(asObject.script.scenes[0]!.sounds, [{ effect: 'rain', at: 'start' }]);
  // A JSON script (an edited one) keeps exactly its cues: a scene whose cues were all removed stays silent.
  const edited = { title: '雷雨', scenes: [{ narration: '远处传来了雷声。', sounds: [] }, { narration: '雨停了。', sounds: [{ effect: 'chime', at: 'end' }] }] };
  const kept = (await step.run(stepContext([]), { script: edited })) as { script: ShortScript };
  assert.deepEqual(kept.script.scenes.map((s) => s.sounds), [[], [{ effect: 'chime', at: 'end' }]]);
});

test('tagSoundCues: zh and en words → effects, at most two a scene, placed where said; a whoosh for silent scenes, never two in a row; deterministic', () => {
  const scene = (narration: string, extra: Partial<ShortScriptInput['scenes'][number]> = {}) => ({ narration, caption: '', visual: '', sounds: [], ...extra });
  const script = shortScriptSchema.parse({
    title: 't',
    scenes: [
      scene('台下响起热烈的掌声。'),
      scene('The crowd applauds as fireworks light up the sky.'),
      scene('窗外刮风下雨，雷声隆隆，远处传来钟声。'),
      scene('Her heart pounds while she is typing on the keyboard.'),
      scene('这个视频只有三分钟，讲讲设计风格。'),
      scene('A quiet morning.'),
      scene('Nothing here either.'),
      scene('叮的一声，手机弹出一条通知。'),
      scene('We walk to the old bell tower.'),
      scene('Plain words.', { caption: 'Thunder', visual: '' }),
      scene('Given cues stay.', { sounds: [{ effect: 'wind', at: 'end' }] }),
      scene('Still nothing.'),
      scene('Then a pop, at the very end of this long sentence about nothing much at all: pop'),
    ],
  });
  const tagged = tagSoundCues(script);
  const cues = tagged.scenes.map((s) => s.sounds.map((c) => `${c.effect}@${c.at}`));
  assert.deepEqual(cues, [
    ['applause@end'],
    ['applause@start', 'firework@middle'],
    ['rain@start', 'thunder@middle'],
    ['heartbeat@start', 'typing@middle'],
    ['whoosh@start'],
    [],
    ['whoosh@start'],
    ['chime@start', 'pop@middle'],
    ['footsteps@start', 'bell@middle'],
    ['thunder@start'],
    ['wind@end'],
    ['whoosh@start'],
    ['pop@start'],
  ]);
  assert.ok(tagged.scenes.every((s) => s.sounds.length <= 2));
  assert.deepEqual(tagSoundCues(script), tagged, 'the same script, the same cues');
  assert.deepEqual(tagSoundCues(tagged), tagged, 'tagging twice changes nothing');
  assert.deepEqual(script.scenes[0]!.sounds, [], 'the input is not changed');
  assert.deepEqual(shortScriptSchema.parse(tagged), tagged);
});

test('sceneCountFor: about one scene per 5–6 s, 3 at least, never more than the limit; narration budget by eSpeak’s pace', () => {
  const table = [15, 20, 30, 45, 60, 90, 120, 150, 180].map((s) => [s, sceneCountFor(s, 'zh'), sceneCountFor(s, 'en')]);
  assert.deepEqual(table, [
    [15, 3, 3],
    [20, 4, 3],
    [30, 6, 5],
    [45, 9, 8],
    [60, 12, 10],
    [90, 18, 15],
    [120, 24, 20],
    [150, 30, 25],
    [180, 30, 30],
  ]);
  for (const language of ['zh', 'en'] as const) {
    let previous = 0;
    for (let seconds = 15; seconds <= 180; seconds++) {
      const count = sceneCountFor(seconds, language);
      assert.ok(count >= previous && count >= 3 && count <= SHORT_LIMITS.maxScenes, `${language} ${seconds} s: ${count}`);
      const perScene = seconds / count;
      if (count > 3 && count < SHORT_LIMITS.maxScenes) assert.ok(perScene >= 4.5 && perScene <= 6.7, `${language} ${seconds} s: ${perScene.toFixed(1)} s a scene`);
      previous = count;
    }
  }
  assert.deepEqual(narrationBudget(30, 6, 'zh'), { perScene: 16, unit: 'characters' });
  assert.deepEqual(narrationBudget(30, 5, 'en'), { perScene: 16, unit: 'words' });
});

test('the grammar schema compiles in node-llama-cpp and accepts the six-scene script', async () => {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false });
  after(() => llama.dispose());
  const grammar = await llama.createGrammarForJsonSchema(shortScriptJsonSchema({ scenes: 6, cuesPerScene: 2 }) as never);
  assert.deepEqual(grammar.parse(JSON.stringify(SIX_SCENES)), SIX_SCENES);
});

test('stories260K through node-llama-cpp: the grammar holds it to exactly the scenes asked for, and the script validates, in bounded time', async () => {
  const provider = createLlamaCppProvider({ threads: 1 });
  after(() => provider.close());
  const model = provider.languageModel(join(TESTDATA, 'stories260K.gguf'));
  const started = Date.now();
  const made = await ideaToScript({ model, idea: 'a cat on a rainy weekend', seconds: 15, language: 'en', seed: 1 });
  console.log(`stories260K: a ${made.script.scenes.length}-scene script in ${Date.now() - started} ms; warnings: ${JSON.stringify(made.warnings)}`);
  assert.equal(made.script.scenes.length, sceneCountFor(15, 'en'));
  assert.deepEqual(shortScriptSchema.parse(made.script), made.script);
  assert.equal(made.script.language, 'en');
});
