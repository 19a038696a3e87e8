import { toShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { generateCloudMusic, type CloudMusicOptions } from '../../../engines/cloud-music/index.ts';
import { EFFECT_SECONDS } from '../../../engines/sfx/index.ts';
import type { SoundEffect } from '../../../engines/short/short-script.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import type { PcmAudio } from '../../../media/audio/pcm.ts';

/** What a sound model is asked for, per effect: plain English, one sound, no music or voice. */
export const EFFECT_DESCRIPTIONS: Readonly<Record<SoundEffect, string>> = Object.freeze({
  whoosh: 'a quick airy whoosh, a fast swish passing by',
  pop: 'a short soft bubble pop',
  chime: 'a bright gentle wind chime ring',
  bell: 'a single clear bell strike ringing out',
  rain: 'steady light rain falling',
  wind: 'wind blowing softly outdoors',
  crowd: 'a murmuring crowd of people talking in the distance',
  applause: 'an audience applauding and clapping',
  footsteps: 'footsteps walking on a hard floor',
  typing: 'typing on a computer keyboard',
  heartbeat: 'a slow steady heartbeat thumping',
  firework: 'a firework launching and bursting with crackles',
  thunder: 'a deep rolling thunder clap',
});

export type ProviderEffect =
  | { readonly ok: true; readonly model: string; readonly audio: PcmAudio; readonly requestId: string | null }
  | { readonly ok: false; readonly model: string; readonly reason: string };

/** Fade-out when a provider's sound runs past the effect's length, so the cut does not click. */
const TAIL_FADE_SECONDS = 0.05;

/**
 * Asks the sound model (`elevenlabs:sound-generation`, `fal:fal-ai/stable-audio` …) once per
 * effect for that effect's sound, EFFECT_SECONDS long, decoded at `sampleRate`. A failure is
 * kept per effect (its reason) so the caller can fall back to synthesis; only an abort throws.
 */
export async function providerEffects(
  ctx: StepContext,
  effects: readonly SoundEffect[],
  options: { model: string; providers: (() => Omit<CloudMusicOptions, 'signal'>) | undefined; seed: number; sampleRate: number },
): Promise<Map<SoundEffect, ProviderEffect>> {
  const answers = new Map<SoundEffect, ProviderEffect>();
  for (const effect of new Set(effects)) {
    ctx.signal.throwIfAborted();
    const seconds = EFFECT_SECONDS[effect];
    const description = EFFECT_DESCRIPTIONS[effect];
    try {
      const result = await generateCloudMusic(options.model, { prompt: description, description, durationSec: seconds, seed: options.seed, instrumental: true }, { ...options.providers?.(), signal: ctx.signal });
      const decoded = await decodeAudio(result.bytes, { sampleRate: options.sampleRate, signal: ctx.signal });
      if (decoded.samples.length === 0) throw new Error('the provider sent no audio');
      answers.set(effect, { ok: true, model: options.model, audio: trimTo(decoded, seconds), requestId: result.requestId ?? null });
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      answers.set(effect, { ok: false, model: options.model, reason: toShenbiError(error, 'ENGINE_FAILED').message });
    }
  }
  return answers;
}

/** At most `seconds` long (models round lengths up), with a short fade where it is cut; shorter sounds are kept whole. */
function trimTo(audio: PcmAudio, seconds: number): PcmAudio {
  const length = Math.round(seconds * audio.sampleRate);
  if (audio.samples.length <= length) return audio;
  const samples = audio.samples.slice(0, length);
  const fade = Math.min(length, Math.round(TAIL_FADE_SECONDS * audio.sampleRate));
  for (let i = 0; i < fade; i++) samples[length - 1 - i]! *= i / fade;
  return { sampleRate: audio.sampleRate, samples };
}
