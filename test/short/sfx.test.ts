import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { logMelSpectrogram } from '../../src/media/audio/mfcc.ts';
import { peakOf, rmsOf, toDb, type PcmAudio } from '../../src/media/audio/pcm.ts';
import { EFFECT_SECONDS, effectOnsetSeconds, readEffectFolder, synthesizeEffect, synthesizeEffectOffThread } from '../../src/engines/sfx/index.ts';
import { SOUND_EFFECTS, type SoundEffect } from '../../src/engines/short/short-script.ts';

const RATE = 44_100;

/**
 * The effect's timbre: its average power spectrum on 40 mel bands (30 Hz–7.9 kHz), in dB,
 * less its mean across bands, so the overall level does not count, only the shape.
 */
function spectralProfile(audio: PcmAudio): number[] {
  const mel = logMelSpectrogram(audio, { sampleRate: 16_000, lowHz: 30, highHz: 7900, melBands: 40, preEmphasis: 0 });
  const power = new Float64Array(mel.dims);
  for (let f = 0; f < mel.count; f++) for (let m = 0; m < mel.dims; m++) power[m] = power[m]! + Math.exp(mel.data[f * mel.dims + m]!);
  const db = [...power].map((p) => 10 * Math.log10(p / mel.count + 1e-12));
  const mean = db.reduce((sum, v) => sum + v, 0) / db.length;
  return db.map((v) => v - mean);
}

/** RMS difference of two profiles across bands (dB). */
function spectralDistance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((sum, v, i) => sum + (v - b[i]!) ** 2, 0) / a.length);
}

const rendered = new Map<SoundEffect, PcmAudio>();
const render = (effect: SoundEffect): PcmAudio => {
  let audio = rendered.get(effect);
  if (audio === undefined) rendered.set(effect, (audio = synthesizeEffect(effect, { seed: 1 })));
  return audio;
};

describe('synthesised sound effects', () => {
  for (const effect of SOUND_EFFECTS) {
    it(`${effect}: documented length, mono 44.1 kHz, peak −3 dBFS, not silent, onset within 30 ms`, () => {
      const audio = render(effect);
      assert.equal(audio.sampleRate, RATE);
      assert.ok(audio.samples instanceof Float32Array);
      assert.equal(audio.samples.length, Math.round(EFFECT_SECONDS[effect] * RATE));
      assert.ok(EFFECT_SECONDS[effect] >= 0.3 && EFFECT_SECONDS[effect] <= 4);
      const peak = toDb(peakOf(audio.samples));
      assert.ok(Math.abs(peak + 3) < 0.1, `peak ${peak.toFixed(2)} dBFS`);
      // The quietest (typing: sparse clicks) is near −33 dBFS RMS; silence or a lone click is far below −40.
      const rms = toDb(rmsOf(audio.samples));
      assert.ok(rms > -40, `RMS ${rms.toFixed(1)} dBFS`);
      assert.ok(audio.samples.every(Number.isFinite));
      const onset = effectOnsetSeconds(audio);
      assert.ok(onset >= 0 && onset <= 0.03, `onset at ${onset.toFixed(4)} s`);
    });
  }

  it('is deterministic for a seed and varies with it', () => {
    for (const effect of SOUND_EFFECTS) {
      const again = synthesizeEffect(effect, { seed: 1 });
      assert.ok(Buffer.from(again.samples.buffer).equals(Buffer.from(render(effect).samples.buffer)), `${effect} differs for the same seed`);
      const other = synthesizeEffect(effect, { seed: 2 });
      assert.equal(other.samples.length, again.samples.length);
      assert.ok(!Buffer.from(other.samples.buffer).equals(Buffer.from(again.samples.buffer)), `${effect} is the same for another seed`);
    }
  });

  it('the onset detector finds a late start late', () => {
    const pop = render('pop');
    const late = new Float32Array(pop.samples.length + Math.round(0.1 * RATE));
    late.set(pop.samples, Math.round(0.1 * RATE));
    const onset = effectOnsetSeconds({ sampleRate: RATE, samples: late });
    assert.ok(onset > 0.09 && onset < 0.13, `onset ${onset}`);
    assert.equal(effectOnsetSeconds({ sampleRate: RATE, samples: new Float32Array(RATE) }), -1);
  });

  /*
   * Distinct to the ear: every pair's spectral profiles are at least 3 dB apart (RMS over the
   * bands, level removed; 3 dB is twice the power per band on average, well past the 1–2 dB at
   * which listeners hear a change of spectral shape), and, stronger, an effect rendered with
   * other seeds is nearer its own seed-1 profile than any other effect's: the seeds' variations
   * stay within the effect, and a nearest-profile classifier names every effect.
   */
  it('every pair of effects is distinct by its average spectrum', () => {
    const profiles = new Map(SOUND_EFFECTS.map((effect) => [effect, spectralProfile(render(effect))]));
    for (let i = 0; i < SOUND_EFFECTS.length; i++) {
      for (let j = i + 1; j < SOUND_EFFECTS.length; j++) {
        const a = SOUND_EFFECTS[i]!;
        const b = SOUND_EFFECTS[j]!;
        const distance = spectralDistance(profiles.get(a)!, profiles.get(b)!);
        assert.ok(distance >= 3, `${a} and ${b} are only ${distance.toFixed(2)} dB apart`);
      }
    }
    for (const effect of SOUND_EFFECTS) {
      for (const seed of [2, 3, 4]) {
        const profile = spectralProfile(synthesizeEffect(effect, { seed }));
        const nearest = SOUND_EFFECTS.reduce((best, other) => (spectralDistance(profile, profiles.get(other)!) < spectralDistance(profile, profiles.get(best)!) ? other : best));
        assert.equal(nearest, effect, `${effect} with seed ${seed} sounds nearer ${nearest}`);
      }
    }
  });

  it('renders at another sample rate and refuses bad options', () => {
    const audio = synthesizeEffect('chime', { seed: 5, sampleRate: 22_050 });
    assert.equal(audio.sampleRate, 22_050);
    assert.equal(audio.samples.length, Math.round(EFFECT_SECONDS.chime * 22_050));
    assert.ok(Math.abs(toDb(peakOf(audio.samples)) + 3) < 0.1);
    assert.throws(() => synthesizeEffect('chime', { seed: 1.5 }), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT' && /seed/.test(error.message));
    assert.throws(() => synthesizeEffect('chime', { seed: 1, sampleRate: 100 }), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT');
    assert.throws(() => synthesizeEffect('kazoo' as SoundEffect, { seed: 1 }), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT' && /kazoo/.test(error.message));
  });

  it('off the event loop, gives the same samples', async () => {
    const off = await synthesizeEffectOffThread('crowd', { seed: 1 });
    assert.ok(Buffer.from(off.samples.buffer, off.samples.byteOffset, off.samples.byteLength).equals(Buffer.from(render('crowd').samples.buffer)));
  });
});

describe('readEffectFolder', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shenbi-sfx-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the user's files named after effects, any case and format, as 44.1 kHz mono", async () => {
    const folder = join(dir, 'good');
    execFileSync('mkdir', ['-p', folder]);
    // A stereo 48 kHz MP3 and a 22.05 kHz WAV, made by ffmpeg: both must come back 44.1 kHz mono.
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5:sample_rate=48000', '-ac', '2', '-c:a', 'libmp3lame', join(folder, 'Whoosh.mp3')]);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'anoisesrc=duration=1:sample_rate=22050:amplitude=0.3', join(folder, 'RAIN.wav')]);
    await writeFile(join(folder, 'notes.txt'), 'not an effect');
    await writeFile(join(folder, 'kazoo.wav'), 'not read: no such effect');
    const effects = await readEffectFolder(folder);
    assert.deepEqual(Object.keys(effects).sort(), ['rain', 'whoosh']);
    const whoosh = effects.whoosh!;
    assert.equal(whoosh.sampleRate, RATE);
    assert.ok(Math.abs(whoosh.samples.length / RATE - 0.5) < 0.08, `${whoosh.samples.length / RATE} s`);
    assert.ok(rmsOf(whoosh.samples) > 0.05);
    const rain = effects.rain!;
    assert.equal(rain.sampleRate, RATE);
    assert.ok(Math.abs(rain.samples.length - RATE) < 50, `${rain.samples.length} samples`);
  });

  it('refuses a corrupt file, naming it, and a missing folder', async () => {
    const folder = join(dir, 'bad');
    execFileSync('mkdir', ['-p', folder]);
    await writeFile(join(folder, 'pop.wav'), Buffer.from('RIFF\u0010\u0000\u0000\u0000WAVEjunkjunkjunk'));
    await assert.rejects(readEffectFolder(folder), (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID' && error.message.includes('pop.wav'));
    await writeFile(join(folder, 'pop.wav'), Buffer.from('this is not audio at all, just text'.repeat(20)));
    await assert.rejects(readEffectFolder(folder), (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID' && error.message.includes('pop.wav'));
    await assert.rejects(readEffectFolder(join(dir, 'absent')), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT' && error.message.includes('absent'));
  });
});
