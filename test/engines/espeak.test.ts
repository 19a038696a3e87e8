import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { ArtifactDraft, StepContext } from '../../src/core/step.ts';
import type { TimedText } from '../../src/core/timing.ts';
import { createEspeakEngine, ESPEAK_ENGINE_INFO, ESPEAK_RUNNER_PATH, MAX_TEXT_CHARS, type SynthesisResult } from '../../src/engines/espeak/index.ts';
import { durationOf, rmsOf, toDb } from '../../src/media/audio/pcm.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { integratedLoudness } from '../../src/media/audio/loudness.ts';
import { speechSynthesizeStep } from '../../src/pipelines/steps/speech/speech-synthesize-step.ts';
import { LOCAL_CALLER } from '../../src/core/job-caller.ts';

const engine = createEspeakEngine({ idleTimeoutMs: 2000 });
after(() => engine.close());

const ZH = '你好，世界。今天天气很好。';
const EN = 'Hello world. The weather is very nice today, so we are going for a walk!';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ShenbiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ShenbiError, `expected a ShenbiError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

function assertTimings(items: readonly TimedText[], duration: number): void {
  let previous = -1;
  for (const item of items) {
    assert.ok(item.start > previous, `starts must strictly increase: ${JSON.stringify(items)}`);
    assert.ok(item.start >= 0 && item.end <= duration + 1e-9 && item.end >= item.start, `outside [0, ${duration}]: ${JSON.stringify(item)}`);
    assert.notEqual(item.text.trim(), '');
    previous = item.start;
  }
}

function assertAudible(result: SynthesisResult): void {
  assert.ok(toDb(rmsOf(result.audio.samples)) > -40, `RMS ${toDb(rmsOf(result.audio.samples))} dBFS`);
}

test('Mandarin: plausible duration, audible, timed words and sentences', async () => {
  const result = await engine.synthesize({ text: ZH });
  assert.equal(result.language, 'cmn');
  assert.equal(result.voice, 'sit/cmn');
  const duration = durationOf(result.audio);
  // 11 syllables: somewhere between 3 and 8 per second of speech.
  assert.ok(duration > 11 / 8 && duration < 11 / 2, `duration ${duration}`);
  assertAudible(result);
  assertTimings(result.words, duration);
  assert.ok(result.words.length >= 4 && result.words.length <= 11, `${result.words.length} words`);
  // Every character of the text shows up in some word, in order.
  assert.equal(result.words.map((w) => w.text).join(''), ZH.replace(/[，。]/g, ''));
  assert.deepEqual(result.sentences.map((s) => s.text), ['你好，世界。', '今天天气很好。']);
  assertTimings(result.sentences, duration);
  assert.equal(result.sentences[0]!.start, result.words[0]!.start);
});

test('English: plausible duration, audible, one timing per word', async () => {
  const result = await engine.synthesize({ text: EN, language: 'en' });
  assert.equal(result.voice, 'gmw/en-US');
  const duration = durationOf(result.audio);
  const wordCount = EN.split(/\s+/).length; // 15 words at roughly 1.5..4 words a second
  assert.ok(duration > wordCount / 4 && duration < wordCount / 1.5, `duration ${duration}`);
  assertAudible(result);
  assertTimings(result.words, duration);
  // eSpeak may voice short function words together ("for a"): together they still spell the text.
  assert.equal(result.words.map((w) => w.text).join(' '), EN.replace(/[.,!]/g, ''));
  assert.ok(result.words.length >= wordCount - 3, `${result.words.length} words`);
  assert.equal(result.sentences.length, 2);
  assertTimings(result.sentences, duration);
});

test('speed 2 is clearly shorter than speed 1; pitch changes the audio', async () => {
  const normal = await engine.synthesize({ text: EN, speed: 1 });
  const fast = await engine.synthesize({ text: EN, speed: 2 });
  assert.ok(durationOf(fast.audio) < durationOf(normal.audio) * 0.7, `${durationOf(fast.audio)} vs ${durationOf(normal.audio)}`);
  const high = await engine.synthesize({ text: EN, pitch: 1.8 });
  assert.notDeepEqual(high.audio.samples.subarray(0, 4000), normal.audio.samples.subarray(0, 4000));
});

test('voices can be listed and chosen by id or short name', async () => {
  const voices = await engine.listVoices();
  assert.ok(voices.length > 50);
  assert.ok(voices.some((v) => v.id === 'sit/cmn' && v.languages.includes('zh')));
  const cantonese = await engine.synthesize({ text: ZH, voice: 'yue' });
  assert.equal(cantonese.voice, 'sit/yue');
  const british = await engine.synthesize({ text: 'Good morning.', voice: 'gmw/en' });
  assert.equal(british.voice, 'gmw/en');
});

test('bad input gets stable codes', async () => {
  await rejectsWith(engine.synthesize({ text: '' }), 'INVALID_INPUT');
  await rejectsWith(engine.synthesize({ text: ' \n\t ' }), 'INVALID_INPUT');
  const tooLong = await rejectsWith(engine.synthesize({ text: 'a'.repeat(MAX_TEXT_CHARS + 1) }), 'INVALID_INPUT');
  assert.match(tooLong.message, /20000/);
  await rejectsWith(engine.synthesize({ text: 'hi', language: 'xx-nowhere' }), 'UNSUPPORTED_LANGUAGE');
  await rejectsWith(engine.synthesize({ text: 'hi', language: 'not a language' }), 'UNSUPPORTED_LANGUAGE');
  const voice = await rejectsWith(engine.synthesize({ text: 'hi', voice: 'no-such-voice' }), 'UNKNOWN_VOICE');
  assert.match(voice.hint ?? '', /shenbi models voices/);
  await rejectsWith(engine.synthesize({ text: 'hi', speed: 5 }), 'INVALID_INPUT');
  await rejectsWith(engine.synthesize({ text: 'hi', speed: 0.1 }), 'INVALID_INPUT');
  await rejectsWith(engine.synthesize({ text: 'hi', speed: 3.5 }), 'INVALID_INPUT'); // valid for the task, beyond eSpeak's 450 wpm
});

test('concurrent calls all succeed and each gets its own audio', async () => {
  const texts = ['One.', 'Two words here.', '三个字。', 'This one is quite a lot longer than the others are.'];
  const results = await Promise.all(texts.map((text) => engine.synthesize({ text })));
  results.forEach((result, i) => {
    assertAudible(result);
    assertTimings(result.words, durationOf(result.audio));
    assert.equal(result.words.map((w) => w.text).join(' ').replace(/ /g, ''), texts[i]!.replace(/[.。 ]/g, ''));
  });
  assert.ok(durationOf(results[3]!.audio) > durationOf(results[0]!.audio) * 3);
});

test('a killed runner fails only its request; the next call starts a fresh runner', async () => {
  const long = 'This sentence keeps the runner busy for a while. '.repeat(380);
  const pending = engine.synthesize({ text: long });
  const queued = engine.synthesize({ text: 'Queued behind it.' });
  // Wait until the long request is being worked on by a live runner.
  while (engine.runnerPid === undefined) await new Promise((r) => setTimeout(r, 10));
  const pid = engine.runnerPid;
  await new Promise((r) => setTimeout(r, 200));
  process.kill(pid, 'SIGKILL');
  const error = await rejectsWith(pending, 'ENGINE_FAILED');
  assert.match(error.message, /runner process stopped/);
  const next = await queued;
  assertAudible(next);
  assert.notEqual(engine.runnerPid, pid);
  assertAudible(await engine.synthesize({ text: 'And it works again.' }));
});

test('abort rejects promptly with JOB_CANCELLED and the engine keeps working', async () => {
  const controller = new AbortController();
  const pending = engine.synthesize({ text: 'A long text to cancel. '.repeat(700), signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await rejectsWith(pending, 'JOB_CANCELLED');
  const already = new AbortController();
  already.abort();
  await rejectsWith(engine.synthesize({ text: 'never', signal: already.signal }), 'JOB_CANCELLED');
  assertAudible(await engine.synthesize({ text: 'Still here.' }));
});

test('only the GPL runner imports @echogarden/espeak-ng-emscripten, and nothing imports the runner', () => {
  const srcRoot = fileURLToPath(new URL('../../src/', import.meta.url));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name)) files.push(path);
    }
  };
  walk(srcRoot);
  const importers = files.filter((file) => /(?:from\s*|import\s*\(?\s*|require\s*\(\s*)['"]@echogarden\/espeak-ng-emscripten['"]/.test(readFileSync(file, 'utf8')));
  assert.ok(importers.includes(ESPEAK_RUNNER_PATH), 'the runner itself should import eSpeak');
  for (const file of importers) {
    const source = readFileSync(file, 'utf8');
    // A permitted importer is a plain-JS runner process carrying the GPL notice.
    assert.match(file, /runner\.mjs$/, `${relative(srcRoot, file)} imports eSpeak-NG but is not a runner process`);
    assert.match(source.slice(0, 1500), /GPL/, `${relative(srcRoot, file)} lacks the GPL notice`);
    const base = file.slice(file.lastIndexOf('/') + 1).replace('.', '\\.');
    const importsRunner = new RegExp(`(?:from\\s*|import\\s*\\(?\\s*)['"][^'"]*${base}['"]`);
    for (const other of files) assert.ok(!importsRunner.test(readFileSync(other, 'utf8')), `${relative(srcRoot, other)} imports the GPL runner ${base}`);
  }
  assert.equal(ESPEAK_ENGINE_INFO.license, 'GPL-3.0 (separate process)');
});

test('speech.synthesize step stores loudness-normalized audio and timings', async () => {
  const drafts: ArtifactDraft[] = [];
  const ctx: StepContext = {
    jobId: 'job-1',
    stepId: 'speak',
    attempt: 1,
    caller: LOCAL_CALLER,
    signal: new AbortController().signal,
    progress: () => undefined,
    partial: () => undefined,
    async writeArtifact(draft) {
      drafts.push(draft);
      return { id: `artifact-${drafts.length}` } as Awaited<ReturnType<StepContext['writeArtifact']>>;
    },
    readArtifact: () => Promise.reject(new Error('not used')),
  };
  const step = speechSynthesizeStep(engine);
  assert.equal(step.type, 'speech.synthesize');
  assert.equal(step.engine, 'speech');
  const outputs = await step.run(ctx, { text: ZH, speed: 1, format: 'wav', loudness: -16 });
  assert.deepEqual([outputs.audio, outputs.timings], ['artifact-1', 'artifact-2']);
  const [audioDraft, timingsDraft] = drafts;
  assert.equal(audioDraft!.kind, 'audio');
  assert.equal(audioDraft!.mimeType, 'audio/wav');
  const wav = decodeWav(audioDraft!.bytes);
  assert.ok(Math.abs(integratedLoudness(wav) - -16) < 0.5, `loudness ${integratedLoudness(wav)}`);
  assert.ok(Math.abs(durationOf(wav) - Number(outputs.duration)) < 0.01);
  assert.equal(timingsDraft!.kind, 'json');
  const timings = JSON.parse(Buffer.from(timingsDraft!.bytes).toString('utf8')) as { words: TimedText[]; sentences: TimedText[]; duration: number };
  assert.equal(timings.duration, outputs.duration);
  assert.ok(timings.words.length >= 4);
  assert.equal(timings.sentences.length, 2);

  await assert.rejects(step.run(ctx, { text: 'hi', format: 'aiff' }), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT');
  const mp3 = await step.run(ctx, { text: 'Hello there.', format: 'mp3' });
  assert.equal(drafts.at(-2)!.mimeType, 'audio/mpeg');
  assert.ok(Number(mp3.duration) > 0.3);
});

test('a script that awaits close() at its end runs to completion (the idle runner does not let it exit early)', async () => {
  const { spawnSync } = await import('node:child_process');
  const script = `import { createEspeakEngine } from ${JSON.stringify(new URL('../../src/engines/espeak/index.ts', import.meta.url).href)};
const e = createEspeakEngine();
await e.synthesize({ text: 'hello' });
await e.close();
console.log('closed');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /closed/);
});
