import { between, Biquad, fade, sineCycles, strike, wander, whiteNoise } from './dsp.ts';
import type { EffectCanvas } from './effect-seconds.ts';

/** The effects made of shaped noise: rain, wind, crowd, applause, whoosh, thunder. */

/** Time between events of a Poisson process with `rate` events a second. */
function poissonGap(random: () => number, rate: number): number {
  return -Math.log(1 - random()) / rate;
}

/** Hiss of the downpour (band-limited noise) under single drops: rising damped sines, the Minnaert bubble's chirp. */
export function rain({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const highPass = new Biquad('highpass', fs, between(random, 700, 1000));
  const lowPass = new Biquad('lowpass', fs, between(random, 6000, 8000));
  const swell = wander(random, length, fs, 1.5);
  for (let i = 0; i < length; i++) out[i] = 0.22 * (0.75 + 0.5 * swell[i]!) * lowPass.process(highPass.process(whiteNoise(random)));
  const dropsPerSecond = between(random, 90, 140);
  for (let t = 0; t * fs < length; t += poissonGap(random, dropsPerSecond)) {
    const start = Math.round(t * fs);
    const pitch = between(random, 1500, 5000);
    const decay = between(random, 0.002, 0.007);
    const amplitude = 0.1 + 0.7 * random() ** 2;
    const span = Math.min(length - start, Math.round(decay * 6 * fs));
    let phase = 0;
    for (let j = 0; j < span; j++) {
      const time = j / fs;
      phase += (2 * Math.PI * pitch * (1 + 40 * time)) / fs;
      out[start + j] = out[start + j]! + amplitude * strike(time, decay) * Math.sin(phase);
    }
  }
  fade(out, fs, 0.01, 0.6);
  return out;
}

/** Noise through a resonant band-pass whose pitch, sharpness and level follow slow random gusts, over a low rumble. */
export function wind({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const gust = wander(random, length, fs, between(random, 0.7, 1.1));
  const low = between(random, 220, 320);
  const whistle = new Biquad('bandpass', fs, low, 3);
  const overtone = new Biquad('bandpass', fs, low * 2.1, 5);
  const rumble = new Biquad('lowpass', fs, 180);
  for (let i = 0; i < length; i++) {
    const g = 0.35 + 0.65 * gust[i]!;
    // Retuning every 16 samples is smooth to the ear and a sixteenth of the trigonometry.
    if (i % 16 === 0) {
      whistle.tune(low + 650 * g, 2 + 4 * g);
      overtone.tune((low + 650 * g) * 2.1, 6);
    }
    const n = whiteNoise(random);
    out[i] = g * (whistle.process(n) + 0.3 * overtone.process(n)) + (0.3 + 0.3 * g) * rumble.process(whiteNoise(random));
  }
  fade(out, fs, 0.02, 0.7);
  return out;
}

/** One voice of the babble: a buzzy glottal source through two formants that move syllable by syllable. */
function babbleVoice(out: Float64Array, fs: number, random: () => number, level: number): void {
  const length = out.length;
  const pitch = between(random, 95, 260);
  const drift = wander(random, length, fs, 4);
  const first = new Biquad('bandpass', fs, 500, 5);
  const second = new Biquad('bandpass', fs, 1500, 8);
  let phase = random();
  let f1 = between(random, 300, 850);
  let f2 = between(random, 850, 2300);
  // Start mid-syllable, so the crowd is already talking at the first sample.
  let syllableLeft = 0;
  let syllableLength = 1;
  let syllableLevel = 0;
  let target1 = f1;
  let target2 = f2;
  const smooth = Math.exp(-1 / (0.02 * fs));
  for (let i = 0; i < length; i++) {
    if (syllableLeft <= 0) {
      syllableLength = Math.round(between(random, 0.12, 0.3) * fs);
      syllableLeft = i === 0 ? Math.round(syllableLength * between(random, 0.2, 0.8)) : syllableLength;
      syllableLevel = random() < 0.2 ? 0 : between(random, 0.5, 1);
      target1 = between(random, 300, 850);
      target2 = between(random, 850, 2300);
    }
    const inSyllable = 1 - syllableLeft / syllableLength;
    syllableLeft--;
    f1 = target1 + (f1 - target1) * smooth;
    f2 = target2 + (f2 - target2) * smooth;
    if (i % 32 === 0) {
      first.tune(f1, 5);
      second.tune(f2, 8);
    }
    phase += (pitch * (0.9 + 0.2 * drift[i]!)) / fs;
    phase -= Math.floor(phase);
    const source = 2 * phase - 1 + 0.3 * whiteNoise(random);
    const envelope = syllableLevel * sineCycles(inSyllable / 2) ** 2;
    out[i] = out[i]! + level * envelope * (first.process(source) + 0.6 * second.process(source));
  }
}

/** Many voices babbling at syllable rate (3–8 Hz), over the murmur of the room. */
export function crowd({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const voices = 10 + Math.floor(random() * 5);
  for (let v = 0; v < voices; v++) babbleVoice(out, fs, random, between(random, 0.4, 1));
  const murmur = new Biquad('lowpass', fs, 900);
  for (let i = 0; i < length; i++) out[i] = out[i]! + 0.15 * murmur.process(whiteNoise(random));
  fade(out, fs, 0.015, 0.6);
  return out;
}

/** Granular: each clap a few milliseconds of noise through its own hand-shaped band-pass; a dozen clappers at 3.5–5 claps a second. */
export function applause({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const clappers = 12 + Math.floor(random() * 7);
  const grain = Math.round(0.03 * fs);
  for (let c = 0; c < clappers; c++) {
    const period = 1 / between(random, 3.5, 5);
    const loudness = between(random, 0.4, 1);
    const hand = between(random, 800, 2500);
    // The first clapper starts at once: the applause has begun at the cue.
    for (let t = c === 0 ? 0 : random() * period; t * fs < length; t += period * between(random, 0.92, 1.08)) {
      const start = Math.round(t * fs);
      const filter = new Biquad('bandpass', fs, hand * between(random, 0.85, 1.15), between(random, 1.5, 3));
      const decay = between(random, 0.003, 0.006);
      const amplitude = loudness * between(random, 0.8, 1.2);
      const span = Math.min(grain, length - start);
      for (let j = 0; j < span; j++) out[start + j] = out[start + j]! + amplitude * strike(j / fs, decay, 0.0003) * filter.process(whiteNoise(random));
    }
  }
  const room = new Biquad('lowpass', fs, 1500);
  for (let i = 0; i < length; i++) out[i] = out[i]! + 0.05 * room.process(whiteNoise(random));
  fade(out, fs, 0.005, 0.6);
  return out;
}

/** Band-passed noise whose centre sweeps up and back down with its level, as something rushing past. */
export function whoosh({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const peakAt = between(random, 0.25, 0.4);
  const lowHz = between(random, 250, 350);
  const highHz = between(random, 2200, 3200);
  const band = new Biquad('bandpass', fs, lowHz, 1.5);
  const upper = new Biquad('bandpass', fs, lowHz * 2, 2);
  for (let i = 0; i < length; i++) {
    const x = i / length;
    // Closeness: 0 far, 1 passing; a raised-cosine rise to the pass, a slower fall after it.
    const near = x < peakAt ? 0.5 - 0.5 * Math.cos((Math.PI * x) / peakAt) : Math.exp((-(x - peakAt) / (1 - peakAt)) * 3);
    const centre = lowHz * (highHz / lowHz) ** near;
    if (i % 16 === 0) {
      band.tune(centre, 1.2 + 1.5 * near);
      upper.tune(centre * 2, 2);
    }
    // A constant-Q band passes noise power in proportion to its centre: rescale so level follows `near` alone.
    const flatten = Math.sqrt(highHz / centre);
    const level = 0.45 + 0.55 * near;
    const n = whiteNoise(random);
    out[i] = level * flatten * (band.process(n) + 0.4 * upper.process(n));
  }
  fade(out, fs, 0.01, 0.08);
  return out;
}

/** A crack (a cluster of broadband bursts) and a long low roll of brown noise that swells and rumbles away. */
export function thunder({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const cracks = 4 + Math.floor(random() * 4);
  for (let k = 0; k < cracks; k++) {
    const start = k === 0 ? 0 : Math.round(between(random, 0.01, 0.18) * fs);
    const decay = between(random, 0.01, 0.04);
    const amplitude = k === 0 ? 1 : between(random, 0.3, 0.8);
    const tone = new Biquad('highpass', fs, between(random, 200, 600));
    const span = Math.min(length - start, Math.round(decay * 6 * fs));
    for (let j = 0; j < span; j++) out[start + j] = out[start + j]! + amplitude * strike(j / fs, decay) * tone.process(whiteNoise(random));
  }
  const roll = wander(random, length, fs, 3);
  const deep = new Biquad('lowpass', fs, between(random, 150, 250));
  const body = new Biquad('lowpass', fs, 700);
  const swellAt = between(random, 0.3, 0.5);
  const decay = between(random, 1.1, 1.5);
  let brown = 0;
  for (let i = 0; i < length; i++) {
    const t = i / fs;
    // Leaky integration of white noise: a 1/f² spectrum, the weight of a distant roll.
    brown = 0.995 * brown + 0.1 * whiteNoise(random);
    const envelope = (t < swellAt ? 0.2 + 0.8 * (t / swellAt) : Math.exp(-(t - swellAt) / decay)) * (0.5 + 0.5 * roll[i]!);
    out[i] = out[i]! + envelope * (1.6 * deep.process(brown) + 0.5 * body.process(brown));
  }
  fade(out, fs, 0, 0.5);
  return out;
}
