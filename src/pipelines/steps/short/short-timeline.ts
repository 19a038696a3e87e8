import { cueTime, type ShortScript, type SoundEffect } from '../../../engines/short/short-script.ts';

/** The title card's length, seconds: long enough to read a title, short enough not to bore. */
export const TITLE_CARD_SECONDS = 2;
/** A scene is never shorter than this, however short its narration. */
export const MIN_SCENE_SECONDS = 2.5;
/** Silence after each scene's narration before the cut (the last scene gets a longer tail). */
export const SCENE_GAP_SECONDS = 0.4;
export const LAST_SCENE_TAIL_SECONDS = 0.9;
/** The voice starts this long after its scene's cut, so a cue at the cut is heard on its own first. */
export const NARRATION_LEAD_SECONDS = 0.15;
/** Cross-fade between pictures; shorter than any scene. */
export const CROSS_FADE_SECONDS = 0.35;

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface PlacedEffect {
  readonly effect: SoundEffect;
  readonly time: number;
  /** The scene the cue belongs to (0-based); null for the title card's whoosh. */
  readonly scene: number | null;
}

export interface ShortTimeline {
  readonly titleCard: Span | null;
  readonly scenes: readonly Span[];
  /** Where each scene's narration starts on the video timeline. */
  readonly narrationStarts: readonly number[];
  readonly effects: readonly PlacedEffect[];
  readonly duration: number;
}

/**
 * The short's timeline from its narration lengths: an optional title card, then each scene
 * lasting its narration plus a gap (at least MIN_SCENE_SECONDS), and every sound cue at
 * cueTime(scene span, place). The title card arrives with a whoosh at its start.
 */
export function shortTimeline(script: Pick<ShortScript, 'scenes'>, narrationSeconds: readonly number[], options: { titleCard: boolean }): ShortTimeline {
  const titleCard = options.titleCard ? { start: 0, end: TITLE_CARD_SECONDS } : null;
  let offset = titleCard?.end ?? 0;
  const scenes: Span[] = [];
  const narrationStarts: number[] = [];
  const effects: PlacedEffect[] = titleCard === null ? [] : [{ effect: 'whoosh', time: cueTime(titleCard, 'start'), scene: null }];
  for (const [i, scene] of script.scenes.entries()) {
    const last = i === script.scenes.length - 1;
    const length = Math.max(MIN_SCENE_SECONDS, NARRATION_LEAD_SECONDS + (narrationSeconds[i] ?? 0) + (last ? LAST_SCENE_TAIL_SECONDS : SCENE_GAP_SECONDS));
    const span = { start: offset, end: offset + length };
    scenes.push(span);
    narrationStarts.push(offset + NARRATION_LEAD_SECONDS);
    for (const cue of scene.sounds) effects.push({ effect: cue.effect, time: cueTime(span, cue.at), scene: i });
    offset = span.end;
  }
  return { titleCard, scenes, narrationStarts, effects: effects.sort((a, b) => a.time - b.time), duration: offset };
}

/**
 * Each picture clip's length for the composer: with cross-fades a clip overlaps the next by
 * the fade, so every clip but the last is one fade longer than its span; the xfade offsets
 * then fall exactly on the spans' starts and the video lasts the timeline's duration.
 */
export function clipDurations(spans: readonly Span[], fade: number): number[] {
  return spans.map((s, i) => s.end - s.start + (i < spans.length - 1 ? fade : 0));
}
