import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ArtifactDraft, StepContext } from '../../src/core/step.ts';
import { LOCAL_CALLER } from '../../src/core/job-caller.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { buildPhonemeTimings } from '../../src/engines/espeak/phoneme-timings.ts';
import { synthesizeReplySchema, type RunnerEvent } from '../../src/engines/espeak/protocol.ts';
import { EspeakRunnerClient } from '../../src/engines/espeak/runner-client.ts';
import { buildTimings } from '../../src/engines/espeak/word-timings.ts';
import type { TimedPhoneme } from '../../src/engines/talking-head/types.ts';
import { durationOf } from '../../src/media/audio/pcm.ts';
import { speechSynthesizeStep } from '../../src/pipelines/steps/speech/speech-synthesize-step.ts';

const engine = createEspeakEngine({ idleTimeoutMs: 2000 });
const client = new EspeakRunnerClient({ idleTimeoutMs: 2000 });
after(() => Promise.all([engine.close(), client.close()]));

const EN = 'Hello world, how are you? The quick brown fox jumps over the lazy dog; it costs 3.50 dollars.';
// 花儿 makes eSpeak switch to English and back mid-sentence: it reports '(en)' and '(cmn)' as phoneme events.
const ZH = '你好世界，今天天气很好。春天来了，花儿都开了，小鸟在树上唱歌。';

function assertTimeline(phonemes: readonly TimedPhoneme[], duration: number): void {
  assert.ok(phonemes.length > 10, `${phonemes.length} phonemes`);
  for (let i = 0; i < phonemes.length; i++) {
    const p = phonemes[i]!;
    assert.ok(p.start >= 0 && p.end <= duration + 1e-9 && p.end > p.start, `outside [0, ${duration}] or empty: ${JSON.stringify(p)}`);
    if (i > 0) {
      assert.ok(p.start > phonemes[i - 1]!.start, `starts must strictly increase at ${i}`);
      assert.equal(phonemes[i - 1]!.end, p.start, 'each phoneme ends where the next begins');
    }
    assert.doesNotMatch(p.phoneme, /^\(.*\)$/u, 'language switches are not phonemes');
  }
  assert.equal(phonemes.at(-1)!.end, duration);
}

async function rawSynthesis(text: string, voice: string): Promise<{ events: RunnerEvent[]; duration: number }> {
  const reply = synthesizeReplySchema.parse(await client.request({ op: 'synthesize', text, voice, rate: 175, pitch: 50 }));
  return { events: reply.events, duration: reply.samples.length / reply.sampleRate };
}

test('English: eSpeak phoneme events become a gap-free timeline inside the audio, with pauses', async () => {
  const result = await engine.synthesize({ text: EN, language: 'en' });
  const duration = durationOf(result.audio);
  assertTimeline(result.phonemes, duration);
  const sounds = result.phonemes.map((p) => p.phoneme);
  assert.deepEqual(sounds.slice(0, 4), ['h', 'ə', 'l', 'ˈoʊ'], 'Hello');
  assert.ok(sounds.includes(''), 'the comma and the full stop leave pauses');
  // Every word holds at least one (non-pause) phoneme start.
  for (const word of result.words) {
    assert.ok(result.phonemes.some((p) => p.phoneme !== '' && p.start >= word.start - 0.02 && p.start < word.end), `no phoneme in ${JSON.stringify(word)}`);
  }
});

test('Mandarin: pinyin initials and finals in IPA, language switches dropped, all inside the audio', async () => {
  const result = await engine.synthesize({ text: ZH });
  assert.equal(result.voice, 'sit/cmn');
  assertTimeline(result.phonemes, durationOf(result.audio));
  const sounds = new Set(result.phonemes.map((p) => p.phoneme));
  for (const expected of ['n', 'χ', 'ˈɑu', 'tɕ', 'ˈiɛ', 'th', 's.', 'ts.h']) assert.ok(sounds.has(expected), `missing ${expected}: ${[...sounds].join(' ')}`);
  // The runner did report the switch markers: the engine removed them.
  const { events } = await rawSynthesis(ZH, 'sit/cmn');
  assert.ok(events.some((e) => e.type === 'phoneme' && e.phoneme === '(en)'), 'expected eSpeak to switch language on 花儿');
});

test('phoneme events do not change word or sentence timings', async () => {
  for (const [text, voice] of [
    [EN, 'gmw/en-US'],
    [ZH, 'sit/cmn'],
  ] as const) {
    const { events, duration } = await rawSynthesis(text, voice);
    const phonemeEvents = events.filter((e) => e.type === 'phoneme');
    assert.ok(phonemeEvents.length > 20, 'the runner reports phonemes');
    assert.ok(phonemeEvents.every((e) => typeof e.phoneme === 'string'));
    const withPhonemes = buildTimings(text, events, duration);
    const wordsOnly = buildTimings(text, events.filter((e) => e.type !== 'phoneme'), duration);
    assert.deepEqual(withPhonemes, wordsOnly);
    assert.ok(withPhonemes.words.length >= 8);
  }
});

test('buildPhonemeTimings: same-instant events keep the later, pauses merge, nothing past the end', () => {
  const ev = (phoneme: string, ms: number): RunnerEvent => ({ type: 'phoneme', charIndex: 0, charLength: 0, time: ms / 1000, phoneme });
  const events: RunnerEvent[] = [
    { type: 'word', charIndex: 0, charLength: 2, time: 0 },
    ev('n', 0),
    ev('i', 81),
    ev('', 428),
    ev('s.', 428),
    ev('', 682),
    ev('', 682),
    ev('', 800),
    { type: 'end', charIndex: 3, charLength: 0, time: 0.8 },
    ev('(en)', 900),
    ev('h', 905),
    ev('(cmn)', 990),
    ev('', 1000),
    ev('x', 1200),
  ];
  assert.deepEqual(buildPhonemeTimings(events, 1.1), [
    { phoneme: 'n', start: 0, end: 0.081 },
    { phoneme: 'i', start: 0.081, end: 0.428 },
    { phoneme: 's.', start: 0.428, end: 0.682 },
    { phoneme: '', start: 0.682, end: 0.905 },
    { phoneme: 'h', start: 0.905, end: 1 },
    { phoneme: '', start: 1, end: 1.1 },
  ]);
  assert.deepEqual(buildPhonemeTimings([], 1), []);
});

test('speech.synthesize stores phonemes in its timings file, under a new step version', async () => {
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
  // Results cached by version 1 have no phonemes and must not be reused.
  assert.notEqual(step.version, '1');
  const outputs = await step.run(ctx, { text: 'Bob made maps.', language: 'en', speed: 1, format: 'wav', loudness: -16 });
  const timings = JSON.parse(Buffer.from(drafts[1]!.bytes).toString('utf8')) as { phonemes: TimedPhoneme[]; duration: number };
  assert.ok(Array.isArray(timings.phonemes) && timings.phonemes.length >= 8, JSON.stringify(timings.phonemes));
  assert.ok(timings.phonemes.map((p) => p.phoneme).includes('m'));
  // The file's duration is the encoded audio's; eSpeak's phonemes lie within it.
  assert.ok(timings.phonemes.at(-1)!.end <= Number(outputs.duration) + 0.01);
});
