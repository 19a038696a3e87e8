import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { forcedAlign } from '../../src/engines/align/index.ts';
import { createEspeakEngine, type SynthesisResult } from '../../src/engines/espeak/index.ts';
import { createEspeakPhonemizer } from '../../src/engines/piper/index.ts';
import { VISEMES, type MouthTrack, type TimedViseme } from '../../src/engines/talking-head/types.ts';
import {
  frameCount,
  mouthTrack,
  mouthTrackFromEnvelope,
  mouthTrackOffThread,
  phonemesFromWords,
  phonemeVisemes,
  speechEnvelope,
  speechEnvelopeOffThread,
  splitPhonemes,
  VISEME_SHAPES,
  visemeForPhoneme,
  visemesFromPhonemes,
} from '../../src/engines/talking-head/visemes/index.ts';
import { durationOf, type PcmAudio } from '../../src/media/audio/pcm.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { closeWorkerPool } from '../../src/workers/pool.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const engine = createEspeakEngine({ idleTimeoutMs: 2000 });
const phonemizer = createEspeakPhonemizer({ idleTimeoutMs: 2000 });
after(() => Promise.all([engine.close(), phonemizer.close(), closeWorkerPool()]));

const FPS = 25;
const EN_LONG =
  'Hello world, how are you? The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore; thirty-three thousand feathers. ' +
  'Judge the measure of pleasure, vision and choice. Why would you buy a yellow boat? I think that they thought everything through, although it took ninety minutes. ' +
  'Please bring the red umbrella, my good friend. Our hero wore a pure white coat in the year two thousand.';
const ZH_LONG =
  '你好世界，今天天气很好。我们一起去公园散步吧！春天来了，花儿都开了，小鸟在树上唱歌。请问这件衣服多少钱？学习中文需要耐心和坚持。' +
  '日出江花红胜火，春来江水绿如蓝。儿子喝热水，女儿吃水果。窗外下着雪，他穿着黑色的外套。白云飘过军营，快乐对我们很重要，六个人自己走。';

const synthesized = new Map<string, Promise<SynthesisResult>>();
function speak(text: string, language: string): Promise<SynthesisResult> {
  let result = synthesized.get(text);
  if (result === undefined) synthesized.set(text, (result = engine.synthesize({ text, language })));
  return result;
}

/** Pearson correlation of a[i] with b[i + lag] over the overlap. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>, lag: number): number {
  const n = Math.min(a.length, b.length);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let s = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    const j = i + lag;
    if (j < 0 || j >= n) continue;
    s += (a[i]! - ma) * (b[j]! - mb);
    sa += (a[i]! - ma) ** 2;
    sb += (b[j]! - mb) ** 2;
  }
  return s / Math.sqrt(sa * sb);
}

/** The lag (frames, −max..max) at which b best matches a: positive = b comes later. */
function bestLag(a: ArrayLike<number>, b: ArrayLike<number>, max = 5): { lag: number; r: number } {
  let best = { lag: 0, r: -Infinity };
  for (let lag = -max; lag <= max; lag++) {
    const r = correlation(a, b, lag);
    if (r > best.r) best = { lag, r };
  }
  return best;
}

const openings = (track: MouthTrack): number[] => track.frames.map((f) => f.open);
const frameAt = (t: number): number => Math.round(t * FPS);

test('the table covers every phoneme eSpeak emits for long English and Mandarin texts (synthesis and phonemize)', async () => {
  for (const [text, language, voice] of [
    [EN_LONG, 'en', 'en-us'],
    [ZH_LONG, 'zh', 'cmn'],
  ] as const) {
    const result = await speak(text, language);
    const emitted = new Set(result.phonemes.map((p) => p.phoneme));
    // Both sides: what synthesis reports, and what phonemize (for aligned words) writes, tones included.
    for (const p of splitPhonemes(await phonemizer.phonemize(text, voice))) emitted.add(p);
    const fallbacks = [...emitted].filter((p) => phonemeVisemes(p).source === 'fallback');
    assert.deepEqual(fallbacks, [], `${language}: not in the table: ${fallbacks.join(' ')}`);
    assert.ok(emitted.size > 30, `${language}: only ${emitted.size} distinct phonemes`);
  }
});

test('English and pinyin phonemes map to the expected visemes; unknown ones fall back and never throw', () => {
  const expected: Record<string, string> = {
    p: 'PP', b: 'PP', m: 'PP', f: 'FF', v: 'FF', θ: 'TH', ð: 'TH', t: 'DD', d: 'DD', k: 'kk', ɡ: 'kk', tʃ: 'CH', dʒ: 'CH', ʃ: 'CH',
    s: 'SS', z: 'SS', n: 'nn', l: 'nn', ɹ: 'RR', ɚ: 'RR', 'ˈɑː': 'aa', 'ˈæ': 'aa', 'ˈɛ': 'E', 'ˈɪ': 'ih', 'iː': 'ih', 'ˈɔː': 'oh', 'ˈuː': 'ou', 'ˈʊ': 'ou',
    'ˈaɪ': 'aa', 'ˈoʊ': 'oh', '': 'sil',
    // pinyin: b p m f d t g k h j q x zh ch sh r z c s
    ph: 'PP', th: 'DD', kh: 'kk', χ: 'kk', tɕ: 'CH', tɕh: 'CH', ɕ: 'CH', 'ts.': 'CH', 'ts.h': 'CH', 's.': 'CH', ʐ: 'RR', ts: 'SS', tsh: 'SS',
    // finals: a o e i u ü ao ie üe -i(shi) er, with tones as phonemize writes them
    'ˈɑ5': 'aa', 'ˈo': 'oh', 'ˈo-': 'E', 'ˈi': 'ih', 'ˈu': 'ou', 'ˈy': 'ou', 'ˈɑu2': 'aa', 'ˈiɛ': 'E', 'ˈyɛ': 'E', 'ˈi.': 'ih', 'ˈər': 'aa', 'ˈuəɜ': 'aa',
  };
  for (const [phoneme, viseme] of Object.entries(expected)) assert.equal(visemeForPhoneme(phoneme), viseme, `${phoneme}`);
  assert.deepEqual(phonemeVisemes('ˈɑu').parts.map((p) => p.viseme), ['aa', 'ou']);
  for (const odd of ['ʘ', '@@', '(x)', 'ǃǃ', 'ɞɞː', '12', '\u0000', 'qʷʰ', 'ɶ̃']) {
    const viseme = visemeForPhoneme(odd);
    assert.ok((VISEMES as readonly string[]).includes(viseme), `${odd} → ${viseme}`);
  }
  assert.equal(visemeForPhoneme('ɶ̃'), 'aa', 'an unknown vowel goes by its vowel class');
  assert.equal(visemeForPhoneme('qʷʰ'), 'kk', 'an unknown consonant goes by its consonant class');
});

test('mouth shapes: p b m and silence closed, aa widest, ou most rounded, E and ih spread, FF nearly closed', () => {
  for (const viseme of VISEMES) {
    const shape = VISEME_SHAPES[viseme];
    assert.ok(shape.open >= 0 && shape.open <= 1 && shape.width >= -1 && shape.width <= 1 && shape.round >= 0 && shape.round <= 1, viseme);
  }
  assert.equal(VISEME_SHAPES.PP.open, 0);
  assert.equal(VISEME_SHAPES.sil.open, 0);
  assert.equal(Math.max(...VISEMES.map((v) => VISEME_SHAPES[v].open)), VISEME_SHAPES.aa.open);
  assert.equal(Math.max(...VISEMES.map((v) => VISEME_SHAPES[v].round)), VISEME_SHAPES.ou.round);
  assert.ok(VISEME_SHAPES.E.width > 0.3 && VISEME_SHAPES.ih.width > 0.3);
  assert.ok(VISEME_SHAPES.FF.open > 0 && VISEME_SHAPES.FF.open < 0.1);
});

for (const [name, text, language] of [
  ['English', EN_LONG, 'en'],
  ['Mandarin', ZH_LONG, 'zh'],
] as const) {
  test(`${name} eSpeak utterance: lips close on p/b/m, pauses are closed, the opening lines up with the audio's envelope (lag 0 ± 1 frame)`, async () => {
    const result = await speak(text, language);
    const duration = durationOf(result.audio);
    const visemes = visemesFromPhonemes(result.phonemes);
    const track = mouthTrack({ visemes, duration, fps: FPS });
    assert.equal(track.frames.length, frameCount(duration, FPS));
    const open = openings(track);

    const closures = visemes.filter((v) => v.viseme === 'PP');
    assert.ok(closures.length >= 3, `${closures.length} bilabials`);
    for (const v of closures) {
      const frame = frameAt((v.start + v.end) / 2);
      assert.ok(open[frame]! <= 0.1, `${v.phoneme} at ${v.start.toFixed(3)}: open ${open[frame]}`);
    }
    const pauses = result.phonemes.filter((p) => p.phoneme === '' && p.end - p.start >= 0.1);
    assert.ok(pauses.length >= 3);
    for (const p of pauses) assert.ok(open[frameAt((p.start + p.end) / 2)]! < 0.03, `pause at ${p.start}`);

    // Both signals computed independently: the track from phoneme timings only, the envelope from the audio only.
    const envelope = speechEnvelope(result.audio, FPS);
    assert.equal(envelope.length, open.length);
    const { lag, r } = bestLag(open, envelope);
    assert.ok(Math.abs(lag) <= 1 && r > 0.4, `best lag ${lag} frames, r = ${r.toFixed(3)}`);

    // With the envelope: still no shift, and silent frames are closed.
    const gated = openings(mouthTrack({ visemes, duration, fps: FPS, envelope }));
    assert.ok(Math.abs(bestLag(gated, envelope).lag) <= 1);
    for (let i = 0; i < gated.length; i++) if (envelope[i] === 0) assert.equal(gated[i], 0, `silent frame ${i}`);
  });
}

test('co-articulation is symmetric in time: a reversed utterance gives the reversed track, a lone vowel peaks at its centre', () => {
  const visemes: TimedViseme[] = [
    { viseme: 'sil', start: 0, end: 0.3 },
    { viseme: 'PP', start: 0.3, end: 0.36 },
    { viseme: 'aa', start: 0.36, end: 0.56 },
    { viseme: 'SS', start: 0.56, end: 0.64 },
    { viseme: 'ou', start: 0.64, end: 0.8 },
    { viseme: 'sil', start: 0.8, end: 1.2 },
  ];
  const duration = 1.2;
  const reversed = visemes.map((v) => ({ ...v, start: duration - v.end, end: duration - v.start })).reverse();
  const forward = mouthTrack({ visemes, duration, fps: 100 }).frames;
  const backward = mouthTrack({ visemes: reversed, duration, fps: 100 }).frames;
  for (let i = 1; i < forward.length; i++) {
    const mirrored = backward[forward.length - i]!;
    assert.ok(Math.abs(forward[i]!.open - mirrored.open) < 1e-6 && Math.abs(forward[i]!.round - mirrored.round) < 1e-6, `frame ${i}`);
  }
  const lone = mouthTrack({ visemes: [{ viseme: 'sil', start: 0, end: 0.5 }, { viseme: 'aa', start: 0.5, end: 0.7 }, { viseme: 'sil', start: 0.7, end: 1.2 }], duration, fps: 100 });
  const open = openings(lone);
  assert.equal(open.indexOf(Math.max(...open)), 60, 'peak at 0.6 s, the vowel centre');
  assert.ok(open[60]! > 0.8 && open[0]! < 0.01 && open[110]! < 0.01);
  // Nothing to say: the mouth rests; odd spans are skipped, not thrown on.
  const rest = mouthTrack({ visemes: [{ viseme: 'aa', start: Number.NaN, end: 1 }, { viseme: 'E', start: 0.5, end: 0.5 }], duration: 0.4, fps: 25 });
  assert.equal(rest.frames.length, 10);
  assert.ok(rest.frames.every((f) => f.open === 0));
});

test('speechEnvelope: silence 0, a steady tone near 1, centred on each frame time', () => {
  const sampleRate = 16000;
  const samples = new Float32Array(3 * sampleRate);
  for (let i = sampleRate; i < 2 * sampleRate; i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / sampleRate);
  const envelope = speechEnvelope({ sampleRate, samples }, FPS);
  assert.equal(envelope.length, 75);
  for (let f = 0; f < 75; f++) {
    if (f < 25 || f > 50) assert.equal(envelope[f], 0, `frame ${f}`);
    else if (f > 25 && f < 50) assert.ok(envelope[f]! > 0.95, `frame ${f}: ${envelope[f]}`);
  }
  // Frames 25 and 50 sit on the edges: their windows are half tone, half silence (−6 dB).
  assert.ok(envelope[25]! > 0.5 && envelope[25]! < 0.95 && Math.abs(envelope[25]! - envelope[50]!) < 0.05);
  assert.equal(speechEnvelope({ sampleRate, samples: new Float32Array(0) }, FPS).length, 0);
  assert.ok(speechEnvelope({ sampleRate, samples: new Float32Array(sampleRate) }, FPS).every((v) => v === 0));
});

test("the user's own audio: JFK aligned, phonemized word by word, gives a mouth track in time with the recording", async () => {
  const jfk: PcmAudio = decodeWav(readFileSync(join(TESTDATA, 'jfk.wav')));
  const script = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
  const { words } = await forcedAlign(jfk, script, { synthesize: async (text) => engine.synthesize({ text }) });
  let calls = 0;
  const phonemes = await phonemesFromWords(words, (text) => {
    calls++;
    return phonemizer.phonemize(text, 'en-us');
  });
  assert.ok(calls < words.length, 'repeated words are phonemized once');
  for (let i = 1; i < phonemes.length; i++) assert.ok(phonemes[i]!.start >= phonemes[i - 1]!.end - 1e-9 && phonemes[i]!.end > phonemes[i]!.start);
  assert.ok(phonemes.some((p) => p.phoneme === ''), 'pauses between words');
  // Each word's phonemes fill exactly its span; vowels get more time than consonants.
  const fellow = words.find((w) => w.text.toLowerCase().startsWith('fellow'))!;
  const inFellow = phonemes.filter((p) => p.start >= fellow.start - 1e-9 && p.end <= fellow.end + 1e-9);
  assert.deepEqual(inFellow.map((p) => visemeForPhoneme(p.phoneme)), ['FF', 'E', 'nn', 'oh']);
  assert.ok(Math.abs(inFellow.at(-1)!.end - fellow.end) < 1e-9);
  assert.ok(inFellow[1]!.end - inFellow[1]!.start > inFellow[0]!.end - inFellow[0]!.start);

  const envelope = speechEnvelope(jfk, FPS);
  const track = mouthTrack({ visemes: visemesFromPhonemes(phonemes), duration: durationOf(jfk), fps: FPS });
  const { lag, r } = bestLag(openings(track), envelope);
  assert.ok(Math.abs(lag) <= 1 && r > 0.3, `best lag ${lag}, r = ${r.toFixed(3)}`);
});

test('mouthTrackFromEnvelope: audio without text opens with the envelope, closed in silence, width and rounding near rest', async () => {
  const result = await speak(EN_LONG, 'en');
  const envelope = speechEnvelope(result.audio, FPS);
  const track = mouthTrackFromEnvelope(envelope, FPS);
  assert.equal(track.fps, FPS);
  assert.equal(track.frames.length, envelope.length);
  const open = openings(track);
  assert.equal(bestLag(open, envelope).lag, 0);
  for (let i = 1; i + 1 < envelope.length; i++) if (envelope[i - 1] === 0 && envelope[i] === 0 && envelope[i + 1] === 0) assert.equal(open[i], 0);
  assert.ok(Math.max(...open) > 0.7);
  assert.ok(track.frames.every((f) => Math.abs(f.width) <= 0.15 && f.round >= 0 && f.round <= 0.15));
  assert.ok(new Set(track.frames.map((f) => f.width.toFixed(3))).size > 20, 'width varies a little');
  assert.deepEqual(mouthTrackFromEnvelope(new Float32Array(0), FPS).frames, []);
});

test('off the event loop: the worker pool gives the same envelope and track', async () => {
  const result = await speak(EN_LONG, 'en');
  const duration = durationOf(result.audio);
  const envelope = speechEnvelope(result.audio, FPS);
  const visemes = visemesFromPhonemes(result.phonemes);
  assert.deepEqual(await speechEnvelopeOffThread(result.audio, FPS), envelope);
  assert.deepEqual(await mouthTrackOffThread({ visemes, duration, fps: FPS, envelope }), mouthTrack({ visemes, duration, fps: FPS, envelope }));
});
