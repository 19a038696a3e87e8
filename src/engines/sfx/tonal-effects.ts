import { between, Biquad, fade, sineCycles, strike, whiteNoise } from './dsp.ts';
import type { EffectCanvas } from './effect-seconds.ts';

/** The pitched effects: a chime (FM notes), a bell (inharmonic partials) and a pop (a swept sine burst). */

/**
 * Risset's bell: partial frequency ratios (two detuned pairs beat against each other), relative
 * amplitudes and relative decay times, after Dodge & Jerse, Computer Music (1985), §4.7.
 */
const BELL_PARTIALS: readonly { readonly ratio: number; readonly detuneHz: number; readonly amplitude: number; readonly decay: number }[] = [
  { ratio: 0.56, detuneHz: 0, amplitude: 1, decay: 1 },
  { ratio: 0.56, detuneHz: 1, amplitude: 0.67, decay: 0.9 },
  { ratio: 0.92, detuneHz: 0, amplitude: 1, decay: 0.65 },
  { ratio: 0.92, detuneHz: 1.7, amplitude: 1.8, decay: 0.55 },
  { ratio: 1.19, detuneHz: 0, amplitude: 2.67, decay: 0.325 },
  { ratio: 1.7, detuneHz: 0, amplitude: 1.67, decay: 0.35 },
  { ratio: 2, detuneHz: 0, amplitude: 1.46, decay: 0.25 },
  { ratio: 2.74, detuneHz: 0, amplitude: 1.33, decay: 0.2 },
  { ratio: 3, detuneHz: 0, amplitude: 1.33, decay: 0.15 },
  { ratio: 3.76, detuneHz: 0, amplitude: 1, decay: 0.1 },
  { ratio: 4.07, detuneHz: 0, amplitude: 1.33, decay: 0.075 },
];

export function bell({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const pitch = between(random, 380, 560);
  // Risset's durations are to −60 dB; the whole ring here spans ~4.5 s (τ = duration / 6.9).
  const ring = between(random, 4, 5);
  for (const partial of BELL_PARTIALS) {
    const hz = pitch * partial.ratio + partial.detuneHz;
    const tau = (ring * partial.decay) / 6.9;
    const phase = random();
    const step = hz / fs;
    // The decay as a per-sample factor: one multiply instead of an exp per sample.
    const fall = Math.exp(-1 / (tau * fs));
    const attack = Math.round(0.001 * fs);
    let level = partial.amplitude;
    for (let i = 0; i < length; i++) {
      out[i] = out[i]! + (i < attack ? i / attack : 1) * level * sineCycles(phase + step * i);
      level *= fall;
    }
  }
  // The clapper's knock: a few milliseconds of band-passed noise.
  const knock = new Biquad('bandpass', fs, between(random, 2000, 3000), 2);
  const span = Math.min(length, Math.round(0.01 * fs));
  for (let i = 0; i < span; i++) out[i] = out[i]! + 2 * strike(i / fs, 0.002) * knock.process(whiteNoise(random));
  fade(out, fs, 0, 0.3);
  return out;
}

/** A high pentatonic (C6 D6 E6 G6 A6 C7, Hz) the chime's notes are drawn from. */
const CHIME_NOTES = [1046.5, 1174.66, 1318.51, 1567.98, 1760, 2093];

/** Three or four rising FM notes (modulator at the carrier's frequency): bright when struck, pure as they ring. */
export function chime({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const count = 3 + Math.floor(random() * 2);
  const first = Math.floor(random() * (CHIME_NOTES.length - count + 1));
  let start = 0;
  for (let n = 0; n < count; n++) {
    const hz = CHIME_NOTES[first + n]!;
    const decay = between(random, 0.5, 0.8);
    const amplitude = between(random, 0.8, 1);
    const from = Math.round(start * fs);
    // Decays as per-sample factors. The modulation index (in cycles) falls faster than the
    // note: the attack's overtones fade to a sine.
    const fall = Math.exp(-1 / (decay * fs));
    const indexFall = Math.exp(-1 / (0.08 * fs));
    const overtoneFall = Math.exp(-1 / (0.15 * fs));
    const attack = Math.round(0.001 * fs);
    let level = amplitude;
    let index = 2.2 / (2 * Math.PI);
    let overtone = 0.15;
    for (let i = from; i < length; i++) {
      const carrier = (hz * (i - from)) / fs;
      const tone = sineCycles(carrier + index * sineCycles(carrier)) + overtone * sineCycles(4 * carrier);
      out[i] = out[i]! + (i - from < attack ? (i - from) / attack : 1) * level * tone;
      level *= fall;
      index *= indexFall;
      overtone *= overtoneFall;
    }
    start += between(random, 0.09, 0.16);
  }
  fade(out, fs, 0, 0.25);
  return out;
}

/** A click and a sine burst that jumps up in pitch as it dies in ~30 ms: a bubble or cork popping. */
export function pop({ sampleRate: fs, length, random }: EffectCanvas): Float64Array {
  const out = new Float64Array(length);
  const low = between(random, 300, 420);
  const rise = between(random, 2.4, 3.4);
  const decay = between(random, 0.025, 0.04);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const t = i / fs;
    phase += (2 * Math.PI * low * (1 + rise * (1 - Math.exp(-t / 0.01)))) / fs;
    out[i] = strike(t, decay, 0.001) * Math.sin(phase);
  }
  const click = new Biquad('highpass', fs, 2000);
  const span = Math.min(length, Math.round(0.004 * fs));
  for (let i = 0; i < span; i++) out[i] = out[i]! + 0.5 * strike(i / fs, 0.0008, 0.0001) * click.process(whiteNoise(random));
  fade(out, fs, 0, 0.05);
  return out;
}
