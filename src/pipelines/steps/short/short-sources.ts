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
  /** 'synthesized' (seeded, Shenbi's own) or 'folder' (the user's file of that name). */
  readonly source: 'synthesized' | 'folder';
  readonly seed?: number;
}

/**
 * Each placed cue's sound: the user's file for that effect when their folder has one, else
 * Shenbi's seeded synthesis (seed + the cue's index, so two cues of one effect differ).
 */
export async function shortEffects(ctx: StepContext, placed: readonly PlacedEffect[], options: { folder: string | undefined; media: MediaPolicy | undefined; seed: number; sampleRate: number }): Promise<ShortEffect[]> {
  let own: Partial<Record<SoundEffect, PcmAudio>> = {};
  if (options.folder !== undefined) {
    if (options.media === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This server has no media policy for effect folders.');
    const dir = await allowedPath(options.folder, { roots: options.media.roots, caller: ctx.caller, what: 'effects folder' });
    own = await readEffectFolder(dir, { signal: ctx.signal });
  }
  const effects: ShortEffect[] = [];
  for (const [i, cue] of placed.entries()) {
    ctx.signal.throwIfAborted();
    const file = own[cue.effect];
    if (file !== undefined) {
      // The mixer brings every sound to its own rate.
      effects.push({ effect: cue.effect, time: cue.time, audio: file, source: 'folder' });
      continue;
    }
    const seed = options.seed + i;
    effects.push({ effect: cue.effect, time: cue.time, audio: synthesizeEffect(cue.effect, { seed, sampleRate: options.sampleRate }), source: 'synthesized', seed });
  }
  return effects;
}
