/** The script of a short: from an idea (a text model), from the user's text or JSON, with sound cues by rule. */
export { ideaToScript, DEFAULT_SCRIPT_ATTEMPTS, type IdeaToScriptOptions } from './idea-to-script.ts';
export { detectScriptLanguage, type ScriptLanguage } from './language.ts';
export { parseShortScript } from './parse-script.ts';
export { narrationBudget, sceneCountFor, SPEECH_RATE, spokenSeconds } from './scene-count.ts';
export { shortScriptJsonSchema } from './script-json-schema.ts';
export { cuesForScene, MAX_TAGGED_CUES, SOUND_CUE_RULES, tagSoundCues } from './sound-cues.ts';
