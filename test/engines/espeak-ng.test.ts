import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ShenbiError } from '../../src/core/errors.ts';
import type { TimedText } from '../../src/core/timing.ts';
import { EspeakEngine } from '../../src/engines/espeak-ng/index.ts';
import { rmsOf, toDb } from '../../src/media/audio/pcm.ts';

const engine = new EspeakEngine();
after(() => engine.close());

function assertTimings(words: TimedText[], duration: number): void {
  assert.ok(words.length > 0);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    assert.ok(w.start >= 0 && w.end <= duration + 1e-9 && w.start <= w.end, `${w.text} [${w.start}, ${w.end}] inside ${duration}`);
    if (i > 0) assert.ok(w.start > words[i - 1]!.start, `starts increase at ${w.text}`);
  }
}

const cases = [
  { language: 'zh', text: '你好，世界。今天天气很好。', voice: 'cmn', minSeconds: 1.5, maxSeconds: 8, minWords: 5 },
  { language: 'en', text: 'Hello world. The weather is nice today.', voice: 'en-us', minSeconds: 1.2, maxSeconds: 6, minWords: 7 },
];

for (const c of cases) {
  test(`${c.language}: real speech, plausible length, not silent, word timings inside the audio`, async () => {
    const r = await engine.synthesize({ text: c.text });
    const duration = r.audio.samples.length / r.audio.sampleRate;
    assert.equal(r.voice, c.voice);
    assert.ok(duration > c.minSeconds && duration < c.maxSeconds, `${duration} s`);
    assert.ok(toDb(rmsOf(r.audio.samples)) > -40, 'not silent');
    assert.ok(r.words.length >= c.minWords, `${r.words.length} words`);
    assertTimings(r.words, duration);
    assert.equal(r.sentences.length, 2);
    assert.ok(r.sentences[1]!.start > r.sentences[0]!.start);
    // Each word's text comes from the input, in order.
    let at = 0;
    for (const w of r.words) {
      const found = c.text.indexOf(w.text, at);
      assert.ok(found >= at, `"${w.text}" found in order`);
      at = found + w.text.length;
    }
    // The speech inside each word is louder than silence: timings point at real sound.
    const loud = r.words.filter((w) => {
      const from = Math.floor(w.start * r.audio.sampleRate);
      const to = Math.max(from + 1, Math.floor(w.end * r.audio.sampleRate));
      return toDb(rmsOf(r.audio.samples.subarray(from, to))) > -35;
    });
    assert.ok(loud.length >= r.words.length * 0.8);
  });
}

test('speed changes duration; voices, variants and languages resolve or fail clearly', async () => {
  const normal = await engine.synthesize({ text: 'The quick brown fox jumps over the lazy dog.' });
  const fast = await engine.synthesize({ text: 'The quick brown fox jumps over the lazy dog.', speed: 2 });
  assert.ok(fast.audio.samples.length < normal.audio.samples.length * 0.7);
  const gb = await engine.synthesize({ text: 'Hello', language: 'en-GB', voice: 'en+f3' });
  assert.equal(gb.voice, 'en+f3');
  const voices = await engine.listVoices();
  assert.ok(voices.some((v) => v.id === 'cmn') && voices.some((v) => v.id === 'en-us') && voices.length > 50);

  const code = (p: Promise<unknown>, expected: string) => assert.rejects(p, (e: unknown) => e instanceof ShenbiError && e.code === expected);
  await code(engine.synthesize({ text: '   ' }), 'INVALID_INPUT');
  await code(engine.synthesize({ text: 'x'.repeat(20_001) }), 'INVALID_INPUT');
  await code(engine.synthesize({ text: 'hi', language: 'klingon' }), 'UNSUPPORTED_LANGUAGE');
  await code(engine.synthesize({ text: 'hi', voice: 'darth-vader' }), 'UNKNOWN_VOICE');
  await code(engine.synthesize({ text: 'hi', speed: 3.5 }), 'INVALID_INPUT');
});

test('concurrent requests all succeed; a killed runner fails its request and the next one works', async () => {
  const texts = ['One.', '两个。', 'Three things.', '四五六。'];
  const results = await Promise.all(texts.map((text) => engine.synthesize({ text })));
  for (const r of results) assert.ok(r.audio.samples.length > 1000);

  const long = engine.synthesize({ text: 'This sentence is long enough to still be in synthesis. '.repeat(200) });
  await new Promise((r) => setTimeout(r, 30));
  const pid = engine.runnerPid;
  assert.ok(pid);
  process.kill(pid, 'SIGKILL');
  await assert.rejects(long, (e: unknown) => e instanceof ShenbiError && e.code === 'ENGINE_FAILED');
  const after = await engine.synthesize({ text: 'Back again.' });
  assert.ok(after.audio.samples.length > 1000);
  assert.notEqual(engine.runnerPid, pid);
});

test('cancelling stops the request promptly', async () => {
  const controller = new AbortController();
  const pending = engine.synthesize({ text: 'A long text to cancel. '.repeat(300) }, controller.signal);
  setTimeout(() => controller.abort(new Error('cancelled by test')), 20);
  await assert.rejects(pending, /cancelled by test/);
  assert.ok((await engine.synthesize({ text: 'Still works.' })).words.length === 2);
});

test('GPL boundary: only the runner process imports eSpeak-NG', () => {
  const root = fileURLToPath(new URL('../../src/', import.meta.url));
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mjs|js)$/.test(entry.name) && readFileSync(path, 'utf8').includes('@echogarden/espeak-ng-emscripten') && !/runner(\.mjs|\/espeak-runner\.mjs)$/.test(path)) offenders.push(path);
    }
  };
  walk(root);
  assert.deepEqual(offenders, []);
});
