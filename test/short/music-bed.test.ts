import assert from 'node:assert/strict';
import { test } from 'node:test';
import tonejs from '@tonejs/midi';
import { ShenbiError } from '../../src/core/errors.ts';
import { BED_LIMITS, bedComposition, composeBed, renderBed } from '../../src/engines/composer/bed/index.ts';
import { inKey, MOODS, type Mood } from '../../src/engines/composer/index.ts';
import { integratedLoudness } from '../../src/media/audio/loudness.ts';
import type { PcmAudio } from '../../src/media/audio/pcm.ts';

const { Midi } = tonejs;
const MOOD_NAMES = Object.keys(MOODS) as Mood[];

/** RMS in dBFS per 50 ms window. */
function windowLevels(audio: PcmAudio, seconds = 0.05): number[] {
  const size = Math.round(seconds * audio.sampleRate);
  const levels: number[] = [];
  for (let from = 0; from + size <= audio.samples.length; from += size) {
    let sum = 0;
    for (let i = from; i < from + size; i++) sum += audio.samples[i]! ** 2;
    levels.push(10 * Math.log10(sum / size + 1e-20));
  }
  return levels;
}

/** The longest run (seconds) of 50 ms windows under −50 dBFS before the 2 s fade-out. */
function longestQuietRun(audio: PcmAudio): number {
  const levels = windowLevels(audio);
  const beforeFadeOut = levels.length - Math.round(2 / 0.05);
  let longest = 0;
  let run = 0;
  for (let i = 0; i < beforeFadeOut; i++) {
    run = levels[i]! < -50 ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest * 0.05;
}

/**
 * The period at which the audio's onsets repeat, in seconds: autocorrelation of an onset
 * envelope (rectified rise of the RMS over 20 ms, 10 ms hops), best lag between 0.4 and 1.7 s
 * (a beat or two at these tempos; shorter lags pick up the arpeggio's eighths and synth beating).
 */
function onsetPeriod(audio: PcmAudio): number {
  const hop = Math.round(0.01 * audio.sampleRate);
  const rms: number[] = [];
  for (let from = 0; from + hop <= audio.samples.length; from += hop) {
    let sum = 0;
    for (let i = from; i < from + hop; i++) sum += audio.samples[i]! ** 2;
    rms.push(Math.sqrt(sum / hop));
  }
  const onset = rms.map((e, i) => (i < 2 ? 0 : Math.max(0, e - rms[i - 2]!)));
  const mean = onset.reduce((a, b) => a + b, 0) / onset.length;
  const centred = onset.map((v) => v - mean);
  const correlation = (lag: number) => {
    let sum = 0;
    for (let i = 0; i + lag < centred.length; i++) sum += centred[i]! * centred[i + lag]!;
    return sum / (centred.length - lag);
  };
  let best = 40;
  for (let lag = 40; lag <= 170; lag++) if (correlation(lag) > correlation(best)) best = lag;
  return best / 100;
}

test('beds of 15, 31.7 and 60 s: exactly as long (± 1 sample), never silent before the fade-out, at the bed level', async () => {
  for (const [mood, seconds] of [['warm', 15], ['melancholy', 31.7], ['gentle', 60]] as const) {
    const started = performance.now();
    const bed = await renderBed({ mood, seconds, seed: 7 });
    const elapsed = performance.now() - started;
    console.log(`${mood} ${seconds} s bed rendered in ${(elapsed / 1000).toFixed(2)} s (real-time factor ${(elapsed / 1000 / seconds).toFixed(3)})`);
    assert.equal(bed.sampleRate, 48_000);
    assert.ok(Math.abs(bed.samples.length - seconds * bed.sampleRate) <= 1, `${mood}: ${bed.samples.length} samples for ${seconds} s`);
    const quiet = longestQuietRun(bed);
    assert.ok(quiet <= 1, `${mood}: ${quiet.toFixed(2)} s below −50 dBFS`);
    // Faded: the first and last samples are (nearly) silent, the first second rises.
    assert.ok(Math.abs(bed.samples[0]!) < 1e-4 && Math.abs(bed.samples.at(-1)!) < 1e-4);
    const levels = windowLevels(bed);
    assert.ok(levels[1]! < levels[19]! - 6, `${mood}: fade-in ${levels[1]} → ${levels[19]} dBFS`);
    assert.ok(levels.at(-1)! < levels.at(-60)! - 20, `${mood}: fade-out ${levels.at(-60)} → ${levels.at(-1)} dBFS`);
    assert.ok(Math.abs(integratedLoudness(bed) + 20) < 0.1);
  }
});

test('the tempo is the mood’s: in the MIDI and in the rendered drums', async () => {
  for (const mood of MOOD_NAMES) {
    const { midi, tempo } = composeBed({ mood, seconds: 20, seed: 1 });
    assert.equal(tempo, MOODS[mood].tempo);
    const read = new Midi(midi);
    assert.equal(Math.round(read.header.tempos[0]!.bpm), MOODS[mood].tempo, mood);
  }
  // Kick, snare and bass mark the beat: the onsets repeat every beat or two of the mood's tempo.
  for (const mood of ['warm', 'festive', 'melancholy'] as const) {
    const bed = await renderBed({ mood, seconds: 20, seed: 3 });
    const period = onsetPeriod(bed);
    const beat = 60 / MOODS[mood].tempo;
    console.log(`${mood} bed: onsets repeat every ${period.toFixed(2)} s; a beat at ${MOODS[mood].tempo} BPM is ${beat.toFixed(3)} s`);
    assert.ok([1, 2].some((beats) => Math.abs(period - beats * beat) <= 0.02), `${mood}: onsets every ${period} s, not 1 or 2 beats of ${beat.toFixed(3)} s`);
  }
});

test('an arrangement, not a song: intro, the looped progression, an ending on the tonic, no melody, every note in key', () => {
  for (const mood of MOOD_NAMES) {
    const song = bedComposition({ mood, seconds: 45, seed: 2 });
    const names = song.tracks.map((t) => t.name);
    assert.ok(!names.includes('Melody'), `${mood}: ${names.join(', ')}`);
    assert.ok(names.includes('Piano') && names.includes('Bass') && names.includes('Pad'));
    assert.equal(names.includes('Drums'), MOODS[mood].drums !== 'none', `${mood}: drums per the mood`);
    const degrees = song.chords.map((c) => c.degree);
    assert.equal(degrees[0], 0, 'the intro is on the tonic');
    assert.equal(degrees.at(-1), 0, 'the ending is on the tonic');
    const progression = MOODS[mood].progression;
    const intro = [1, 2].find((n) => degrees.slice(n, -1).every((d, i) => d === progression[i % progression.length]));
    assert.ok(intro !== undefined, `${mood}: ${degrees.join(' ')} is not the progression ${progression.join(' ')} looped`);
    assert.ok(degrees.length - 1 - intro >= progression.length * 2, 'looped');
    for (const track of song.tracks) {
      if (track.channel === 9) continue;
      for (const note of track.notes) assert.ok(inKey(song.key, note.pitch), `${mood} ${track.name} ${note.pitch}`);
    }
    // The last chord sounds until past the cut.
    const lastEnd = Math.max(...song.tracks.filter((t) => t.channel !== 9).flatMap((t) => t.notes.map((n) => n.startTick + n.durationTicks)));
    assert.ok((lastEnd / 128) * (60 / song.tempo) >= 45);
  }
});

test('deterministic for a seed; another seed varies it; moods differ', async () => {
  const a = await renderBed({ mood: 'festive', seconds: 6, seed: 11 });
  const b = await renderBed({ mood: 'festive', seconds: 6, seed: 11 });
  assert.deepEqual(Buffer.from(a.samples.buffer), Buffer.from(b.samples.buffer));
  assert.deepEqual(Buffer.from(composeBed({ mood: 'festive', seconds: 40, seed: 11 }).midi), Buffer.from(composeBed({ mood: 'festive', seconds: 40, seed: 11 }).midi));
  assert.notDeepEqual(Buffer.from(composeBed({ mood: 'festive', seconds: 40, seed: 11 }).midi), Buffer.from(composeBed({ mood: 'festive', seconds: 40, seed: 12 }).midi));
  // Another mood: another tempo, and audibly another signal (low correlation sample by sample).
  const c = await renderBed({ mood: 'melancholy', seconds: 6, seed: 11 });
  let ab = 0;
  let aa = 0;
  let cc = 0;
  for (let i = 0; i < a.samples.length; i++) {
    ab += a.samples[i]! * c.samples[i]!;
    aa += a.samples[i]! ** 2;
    cc += c.samples[i]! ** 2;
  }
  const correlation = ab / Math.sqrt(aa * cc);
  assert.ok(Math.abs(correlation) < 0.3, `festive vs melancholy correlate ${correlation.toFixed(2)}`);
  assert.notEqual(composeBed({ mood: 'festive', seconds: 12, seed: 11 }).tempo, composeBed({ mood: 'melancholy', seconds: 12, seed: 11 }).tempo);
});

test('a length outside 5–600 s, an unknown mood or a bad seed is INVALID_INPUT', async () => {
  const bad = [
    { mood: 'warm', seconds: BED_LIMITS.minSeconds - 0.1, seed: 1 },
    { mood: 'warm', seconds: BED_LIMITS.maxSeconds + 1, seed: 1 },
    { mood: 'warm', seconds: Number.NaN, seed: 1 },
    { mood: 'spooky', seconds: 20, seed: 1 },
    { mood: 'warm', seconds: 20, seed: -1 },
  ];
  for (const request of bad) {
    await assert.rejects(
      renderBed(request as never),
      (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT',
      JSON.stringify(request),
    );
    assert.throws(() => composeBed(request as never), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT');
  }
  await assert.rejects(renderBed({ mood: 'warm', seconds: 20, seed: 1, sampleRate: 1000 }), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT');
});

test('another sample rate, as documented: 44.1 kHz, still exact to the sample', async () => {
  const bed = await renderBed({ mood: 'gentle', seconds: 5, seed: 2, sampleRate: 44_100 });
  assert.equal(bed.sampleRate, 44_100);
  assert.equal(bed.samples.length, 5 * 44_100);
});

test('an aborted render stops with JOB_CANCELLED', async () => {
  const isCancelled = (error: unknown) => error instanceof ShenbiError && error.code === 'JOB_CANCELLED';
  await assert.rejects(renderBed({ mood: 'warm', seconds: 30, seed: 1, signal: AbortSignal.abort() }), isCancelled);
  const controller = new AbortController();
  const rendering = renderBed({ mood: 'energetic', seconds: 300, seed: 1, signal: controller.signal });
  setTimeout(() => controller.abort(), 300);
  await assert.rejects(rendering, isCancelled);
});
