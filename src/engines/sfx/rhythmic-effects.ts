import { between, Biquad, fade, strike, whiteNoise } from './dsp.ts';
import type { EffectCanvas } from './effect-seconds.ts';

/** The effects made of repeated hits: footsteps, typing, a heartbeat. */

/** Adds a damped sine (a thump) at `start` seconds. */
function addThump(out: Float64Array, fs: number, start: number, hz: number, decay: number, amplitude: number, attack = 0.002): void {
  const from = Math.round(start * fs);
  const span = Math.min(out.length - from, Math.round(decay * 7 * fs));
  for (let j = 0; j < span; j++) {
    const t = j / fs;
    // The pitch sags a little as the hit dies, as a struck membrane or floor does.
    out[from + j] = out[from + j]! + amplitude * strike(t, decay, attack) * Math.sin(2 * Math.PI * hz * t * (1 - 0.15 * Math.min(1, t / decay / 3)));
  }
}

/** Adds a burst of filtered noise at `start` seconds. */
function addBurst(out: Float64Array, fs: number, random: () => number, start: number, filter: Biquad, decay: number, amplitude: number, attack = 0.0005): void {
  const from = Math.round(start * fs);
  const span = Math.min(out.length - from, Math.round(decay * 7 * fs));
  for (let j = 0; j < span; j++) out[from + j] = out[from + j]! + amplitude * strike(j / fs, decay, attack) * filter.process(whiteNoise(random));
}

/** Steps about 0.55 s apart, each a heel thump (low sine and dull noise) then the toe's lighter scuff. */
export function footsteps({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const seconds = length / fs;
  const pace = between(random, 0.5, 0.6);
  for (let t = 0; t < seconds - 0.15; t += pace * between(random, 0.94, 1.06)) {
    const weight = between(random, 0.8, 1);
    addThump(out, fs, t, between(random, 70, 100), 0.04, weight);
    addBurst(out, fs, random, t, new Biquad('lowpass', fs, 600), 0.025, 1.6 * weight);
    const toe = t + between(random, 0.07, 0.1);
    addThump(out, fs, toe, between(random, 110, 140), 0.02, 0.35 * weight);
    addBurst(out, fs, random, toe, new Biquad('bandpass', fs, between(random, 1200, 2500), 1), 0.02, 0.9 * weight);
  }
  fade(out, fs, 0, 0.1);
  return out;
}

/**
 * Key presses at a typist's irregular rhythm (mostly 70–180 ms apart, sometimes a word's
 * pause and a deeper space bar): a sharp click, the key's hollow thock, the release's tick.
 */
export function typing({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const seconds = length / fs;
  let space = false;
  for (let t = 0; t < seconds - 0.12; ) {
    const force = between(random, 0.6, 1);
    addBurst(out, fs, random, t, new Biquad('highpass', fs, 3000), 0.0008, 0.7 * force, 0.0001);
    const thock = space ? new Biquad('bandpass', fs, between(random, 600, 900), 3) : new Biquad('bandpass', fs, between(random, 1500, 3000), 4);
    addBurst(out, fs, random, t, thock, space ? 0.012 : 0.008, (space ? 1 : 1.4) * force, 0.0002);
    // The desk and the case under the key: a short low knock that rain and clicks lack.
    addBurst(out, fs, random, t, new Biquad('bandpass', fs, between(random, 250, 400), 3), 0.012, 1.2 * force, 0.0005);
    addBurst(out, fs, random, t + between(random, 0.004, 0.008), new Biquad('bandpass', fs, 4000, 2), 0.001, 0.4 * force, 0.0001);
    addBurst(out, fs, random, t + between(random, 0.05, 0.09), new Biquad('bandpass', fs, between(random, 2500, 4000), 3), 0.003, 0.3 * force, 0.0002);
    const roll = random();
    space = roll > 0.9;
    t += roll < 0.7 ? between(random, 0.07, 0.18) : roll < 0.9 ? between(random, 0.18, 0.3) : between(random, 0.3, 0.45);
  }
  fade(out, fs, 0, 0.05);
  return out;
}

/** Lub-dub at 64–78 beats a minute: a low thump, and ~0.3 s later a higher, lighter one. */
export function heartbeat({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const seconds = length / fs;
  const period = 60 / between(random, 64, 78);
  const gap = between(random, 0.28, 0.33);
  for (let t = 0; t < seconds - 0.2; t += period) {
    const lub = between(random, 45, 55);
    addThump(out, fs, t, lub, 0.06, 1, 0.004);
    // The second harmonic and a muffled noise thud keep the beat audible on small speakers.
    addThump(out, fs, t, lub * 2, 0.04, 0.35, 0.004);
    addBurst(out, fs, random, t, new Biquad('lowpass', fs, 250), 0.03, 1.2, 0.004);
    if (t + gap < seconds - 0.1) {
      const dub = between(random, 60, 70);
      addThump(out, fs, t + gap, dub, 0.04, 0.7, 0.003);
      addThump(out, fs, t + gap, dub * 2, 0.03, 0.25, 0.003);
      addBurst(out, fs, random, t + gap, new Biquad('lowpass', fs, 300), 0.02, 0.8, 0.003);
    }
  }
  fade(out, fs, 0, 0.1);
  return out;
}

/** A launch thump and a rising whistle, the burst (a bang and its echo), then a dying crackle of sparks. */
export function firework({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const seconds = length / fs;
  addThump(out, fs, 0, between(random, 70, 90), 0.03, 0.8);
  addBurst(out, fs, random, 0, new Biquad('lowpass', fs, 2000), 0.02, 1.2);
  const burstAt = between(random, 0.7, 0.9);
  const low = between(random, 800, 1000);
  const high = between(random, 2300, 2800);
  const hiss = new Biquad('bandpass', fs, 4000, 1.5);
  let phase = 0;
  const whistleEnd = Math.round(burstAt * fs);
  for (let i = 0; i < whistleEnd; i++) {
    const t = i / fs;
    const x = t / burstAt;
    const hz = low * (high / low) ** x * (1 + 0.01 * Math.sin(2 * Math.PI * 6 * t));
    phase += (2 * Math.PI * hz) / fs;
    const envelope = Math.min(1, t / 0.02) * (1 - 0.3 * x);
    out[i] = out[i]! + envelope * (0.35 * Math.sin(phase) + 0.12 * hiss.process(whiteNoise(random)));
  }
  addBurst(out, fs, random, burstAt, new Biquad('lowpass', fs, 3000), 0.08, 2.5, 0.001);
  addThump(out, fs, burstAt, between(random, 50, 60), 0.15, 0.9, 0.001);
  addBurst(out, fs, random, burstAt, new Biquad('lowpass', fs, 1200), 0.6, 0.3, 0.01);
  // Sparks: a Poisson crackle whose rate and loudness die away.
  const crackleFrom = burstAt + 0.1;
  for (let t = crackleFrom; t < seconds - 0.05; ) {
    const age = (t - crackleFrom) / (seconds - crackleFrom);
    addBurst(out, fs, random, t, new Biquad('highpass', fs, 2500), between(random, 0.0003, 0.001), between(random, 0.3, 1.2) * (1 - age), 0.0001);
    t += -Math.log(1 - random()) / (300 * (1 - age) + 20);
  }
  fade(out, fs, 0, 0.2);
  return out;
}
