/**
 * Mono floating-point audio, the one in-memory form every speech and music engine
 * exchanges. Samples are in [-1, 1]; stereo is only made at the final encode.
 */
export interface PcmAudio {
  readonly sampleRate: number;
  readonly samples: Float32Array;
}

export function durationOf(audio: PcmAudio): number {
  return audio.samples.length / audio.sampleRate;
}

/** Peak absolute sample value (linear). */
export function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = Math.abs(samples[i]!);
    if (v > peak) peak = v;
  }
  return peak;
}

/** Root mean square over the whole signal (linear). */
export function rmsOf(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

export function toDb(linear: number): number {
  return linear <= 0 ? -Infinity : 20 * Math.log10(linear);
}

/** Averages interleaved channels into one. */
export function downmix(interleaved: Float32Array, channels: number): Float32Array {
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c]!;
    out[f] = sum / channels;
  }
  return out;
}

/** Joins clips end to end (same sample rate), with optional silence between them. */
export function concatPcm(clips: readonly PcmAudio[], gapSeconds = 0): PcmAudio {
  if (clips.length === 0) throw new RangeError('concatPcm needs at least one clip');
  const sampleRate = clips[0]!.sampleRate;
  const gap = Math.round(gapSeconds * sampleRate);
  let length = 0;
  for (const clip of clips) {
    if (clip.sampleRate !== sampleRate) throw new RangeError('concatPcm: sample rates differ');
    length += clip.samples.length;
  }
  length += gap * (clips.length - 1);
  const samples = new Float32Array(length);
  let offset = 0;
  clips.forEach((clip, i) => {
    samples.set(clip.samples, offset);
    offset += clip.samples.length + (i < clips.length - 1 ? gap : 0);
  });
  return { sampleRate, samples };
}
