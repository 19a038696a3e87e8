import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { generateCloudMusic, type CloudMusicOptions } from '../../../engines/cloud-music/index.ts';
import { BED_LIMITS, renderBed } from '../../../engines/composer/bed/index.ts';
import type { Mood } from '../../../engines/composer/style.ts';
import { readEffectFolder, synthesizeEffect } from '../../../engines/sfx/index.ts';
import type { SoundEffect } from '../../../engines/short/short-script.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import type { PcmAudio } from '../../../media/audio/pcm.ts';
import { allowedPath } from '../local-media-path.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { providerEffects, type ProviderEffect } from './provider-effects.ts';
import type { PlacedEffect } from './short-timeline.ts';

/** Where the music came from, for provenance. */
export type MusicSource =
  | { kind: 'composer'; mood: Mood; seed: number }
  | { kind: 'none' }
  | { kind: 'track'; ref: string }
  | { kind: 'provider'; model: string; requestId: string | null }
  | { kind: 'composer'; mood: Mood; seed: number; fallbackFrom: string; reason: string };

export interface ShortMusic {
  readonly audio: PcmAudio | undefined;
  readonly source: MusicSource;
  /** Artifacts the music came from (a stored track), for provenance parents. */
  readonly parents: readonly string[];
  readonly warnings: readonly string[];
}

/** `provider:model` (not a URL, not a Windows drive, not an artifact or upload id). */
const PROVIDER_SPEC = /^[a-z][a-z0-9_-]+:(?!\/\/)\S*$/i;

export function isProviderMusic(music: string): boolean {
  return PROVIDER_SPEC.test(music) && !/^https?:/i.test(music);
}

/** Audio of exactly `samples` samples: cut, or looped end to end when shorter. */
export function fitLength(audio: PcmAudio, samples: number): PcmAudio {
  if (audio.samples.length === 0) throw new ShenbiError('MEDIA_INVALID', 'the music track is empty');
  const out = new Float32Array(samples);
  for (let at = 0; at < samples; at += audio.samples.length) out.set(audio.samples.subarray(0, Math.min(audio.samples.length, samples - at)), at);
  return { sampleRate: audio.sampleRate, samples: out };
}

export interface MusicRequest {
  readonly music: string | undefined;
  readonly mood: Mood;
  readonly seconds: number;
  readonly seed: number;
  readonly sampleRate: number;
  readonly media: MediaPolicy | undefined;
  readonly providers: (() => Omit<CloudMusicOptions, 'signal'>) | undefined;
}

/**
 * The short's music, exactly `seconds` long (a track or a provider's decoded at `sampleRate`): the composer's bed for the mood
 * (default), none, the user's track (looped or cut), or a provider's music model (the mood as
 * the prompt) falling back to the bed with a warning when the provider fails.
 */
export async function shortMusic(ctx: StepContext, request: MusicRequest): Promise<ShortMusic> {
  const { music, mood, seconds, seed, sampleRate } = request;
  const length = Math.round(seconds * sampleRate);
  const bed = async (): Promise<PcmAudio> => {
    // A bed is at least BED_LIMITS.minSeconds; a shorter video (one scene) keeps its start.
    const audio = await renderBed({ mood, seconds: Math.max(BED_LIMITS.minSeconds, seconds), seed, signal: ctx.signal });
    return fitLength(audio, Math.round(seconds * audio.sampleRate));
  };
  if (music === undefined) return { audio: await bed(), source: { kind: 'composer', mood, seed }, parents: [], warnings: [] };
  if (music === 'none') return { audio: undefined, source: { kind: 'none' }, parents: [], warnings: [] };
  if (isProviderMusic(music)) {
    try {
      const result = await generateCloudMusic(music, { prompt: `${mood} instrumental background music for a short video, no vocals`, durationSec: Math.ceil(seconds), seed, instrumental: true }, { ...request.providers?.(), signal: ctx.signal });
      const decoded = await decodeAudio(result.bytes, { sampleRate, signal: ctx.signal });
      return { audio: fitLength(decoded, length), source: { kind: 'provider', model: music, requestId: result.requestId ?? null }, parents: [], warnings: [] };
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const reason = toShenbiError(error, 'ENGINE_FAILED').message;
      const warning = `music from ${music} failed (${reason}); used the composer's bed instead`;
      return { audio: await bed(), source: { kind: 'composer', mood, seed, fallbackFrom: music, reason }, parents: [], warnings: [warning] };
    }
  }
  if (request.media === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This server has no media policy for music tracks.');
  const track = await readMediaInput(ctx, music, request.media, 'audio');
  let decoded: PcmAudio;
  try {
    decoded = await decodeAudio(track.bytes, { sampleRate, signal: ctx.signal });
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw toShenbiError(error, 'MEDIA_INVALID');
  }
  return { audio: fitLength(decoded, length), source: { kind: 'track', ref: music }, parents: track.parents, warnings: [] };
}

export interface ShortEffect {
  readonly effect: SoundEffect;
  readonly time: number;
  readonly audio: PcmAudio;
  /** 'synthesized' (seeded, Shenbi's own), 'folder' (the user's file of that name) or 'provider' (a sound model's). */
  readonly source: 'synthesized' | 'folder' | 'provider';
  readonly seed?: number;
  /** The sound model asked ('provider'), with its request id. */
  readonly model?: string;
  readonly requestId?: string | null;
  /** A synthesised effect standing in for a sound model that failed: the model and why. */
  readonly fallbackFrom?: string;
  readonly reason?: string;
}

export interface EffectsRequest {
  readonly folder: string | undefined;
  readonly media: MediaPolicy | undefined;
  readonly seed: number;
  readonly sampleRate: number;
  /** A provider sound model (provider:model) asked once per effect the folder lacks. */
  readonly model?: string | undefined;
  readonly providers?: (() => Omit<CloudMusicOptions, 'signal'>) | undefined;
  /** Told once per effect whose sound model failed (the synthesised one is used instead). */
  readonly onWarning?: ((message: string) => void) | undefined;
}

/**
 * Each placed cue's sound: the user's file for that effect when their folder has one, else the
 * sound model's (one request per effect, used at every cue of it) when one is named, else
 * Shenbi's seeded synthesis (seed + the cue's index, so two cues of one effect differ) — also
 * where the sound model failed, with a warning.
 */
export async function shortEffects(ctx: StepContext, placed: readonly PlacedEffect[], options: EffectsRequest): Promise<ShortEffect[]> {
  let own: Partial<Record<SoundEffect, PcmAudio>> = {};
  if (options.folder !== undefined) {
    if (options.media === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This server has no media policy for effect folders.');
    const dir = await allowedPath(options.folder, { roots: options.media.roots, caller: ctx.caller, what: 'effects folder' });
    own = await readEffectFolder(dir, { signal: ctx.signal });
  }
  const provided = options.model === undefined ? new Map<SoundEffect, ProviderEffect>() : await providerEffects(ctx, placed.map((p) => p.effect).filter((e) => own[e] === undefined), { model: options.model, providers: options.providers, seed: options.seed, sampleRate: options.sampleRate });
  for (const [effect, answer] of provided) if (!answer.ok) options.onWarning?.(`sound effect ${effect} from ${answer.model} failed (${answer.reason}); used Shenbi's own instead`);
  const effects: ShortEffect[] = [];
  for (const [i, cue] of placed.entries()) {
    ctx.signal.throwIfAborted();
    const file = own[cue.effect];
    if (file !== undefined) {
      // The mixer brings every sound to its own rate.
      effects.push({ effect: cue.effect, time: cue.time, audio: file, source: 'folder' });
      continue;
    }
    const answer = provided.get(cue.effect);
    if (answer?.ok === true) {
      effects.push({ effect: cue.effect, time: cue.time, audio: answer.audio, source: 'provider', model: answer.model, requestId: answer.requestId });
      continue;
    }
    const seed = options.seed + i;
    const fallback = answer === undefined ? {} : { fallbackFrom: answer.model, reason: answer.reason };
    effects.push({ effect: cue.effect, time: cue.time, audio: synthesizeEffect(cue.effect, { seed, sampleRate: options.sampleRate }), source: 'synthesized', seed, ...fallback });
  }
  return effects;
}

/** A cue's effect for the provenance: where its sound came from, without the audio. */
export function effectProvenance(e: ShortEffect): Omit<ShortEffect, 'audio'> {
  const { audio: _audio, ...rest } = e;
  return rest;
}
