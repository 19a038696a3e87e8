import { SHORT_LIMITS } from '../short-script.ts';
import type { ScriptLanguage } from './language.ts';

/**
 * How fast eSpeak speaks a scene at speed 1 (its cmn and en voices, each scene a clip of its
 * own, punctuation pauses included). Measured here on 9 Chinese and 8 English sentences:
 * 3.6–3.7 Han characters a second; 2.9 (long words) to 3.8 (short words) English words a
 * second. Narration is sized with these so the spoken short comes out near the length asked.
 */
export const SPEECH_RATE = {
  zh: { perSecond: 3.7, unit: 'characters' },
  en: { perSecond: 3.2, unit: 'words' },
} as const satisfies Record<ScriptLanguage, { perSecond: number; unit: string }>;

/**
 * Seconds per scene: one spoken sentence — ~16 Chinese characters in 5 s, ~16 English words
 * in 6 s (at SPOKEN_SHARE); a cut every 5–6 s keeps a short moving without rushing the voice.
 */
const SECONDS_PER_SCENE: Record<ScriptLanguage, number> = { zh: 5, en: 6 };
const MIN_SCENES = 3;

/** Of a scene's share of the duration, what the voice may fill: the rest is pauses between scenes and the title card. */
const SPOKEN_SHARE = 0.85;

/** How many scenes a short of `seconds` gets: about one per 5–6 s, from 3 to SHORT_LIMITS.maxScenes. */
export function sceneCountFor(seconds: number, language: ScriptLanguage): number {
  const count = Math.round(Math.max(0, seconds) / SECONDS_PER_SCENE[language]);
  return Math.min(SHORT_LIMITS.maxScenes, Math.max(MIN_SCENES, count));
}

/** How much each scene's narration may say (Han characters or words) for scenes sharing `seconds` equally. */
export function narrationBudget(seconds: number, scenes: number, language: ScriptLanguage): { perScene: number; unit: 'characters' | 'words' } {
  const rate = SPEECH_RATE[language];
  const perScene = Math.max(4, Math.round(((seconds / Math.max(1, scenes)) * SPOKEN_SHARE * rate.perSecond)));
  return { perScene, unit: rate.unit };
}

/** About how long eSpeak takes to say `text` (seconds), by the rates above. */
export function spokenSeconds(text: string, language: ScriptLanguage): number {
  if (language === 'zh') {
    // Han characters at the Chinese rate; Latin words mixed in (brand names, numbers) at the English one.
    const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
    const words = text.replace(/\p{Script=Han}/gu, ' ').match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
    return han / SPEECH_RATE.zh.perSecond + words / SPEECH_RATE.en.perSecond;
  }
  return (text.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu)?.length ?? 0) / SPEECH_RATE.en.perSecond;
}
