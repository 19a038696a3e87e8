import { CUE_PLACES, SHORT_LIMITS, SHORT_MOODS, SOUND_EFFECTS } from '../short-script.ts';

/** The title's limit (shortScriptSchema's). */
const MAX_TITLE_CHARS = 60;
const MAX_VISUAL_CHARS = 400;

const MOOD_SET = new Set<string>(SHORT_MOODS);
const EFFECT_SET = new Set<string>(SOUND_EFFECTS);
const PLACE_SET = new Set<string>(CUE_PLACES);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Mends what a model gets slightly wrong and can be mended without asking again — a caption or
 * title a little long, an effect or mood not on the list, too many cues or scenes — and says
 * what was mended (the step's warnings). What cannot be mended (no narration, a narration over
 * the limit, not a script at all) is left for zod to report and the model to rewrite.
 */
export function repairScript(value: unknown, maxCuesPerScene: number): { value: unknown; repairs: string[] } {
  if (!isRecord(value)) return { value, repairs: [] };
  const repairs: string[] = [];
  const script: Json = { ...value };
  if (typeof script.title === 'string' && script.title.trim().length > MAX_TITLE_CHARS) {
    script.title = script.title.trim().slice(0, MAX_TITLE_CHARS).trim();
    repairs.push(`the title was cut to ${MAX_TITLE_CHARS} characters`);
  }
  if (script.mood !== undefined && !MOOD_SET.has(String(script.mood))) {
    repairs.push(`the mood "${String(script.mood)}" is not one of ${SHORT_MOODS.join(', ')}; warm was used`);
    delete script.mood;
  }
  if (Array.isArray(script.scenes)) {
    if (script.scenes.length > SHORT_LIMITS.maxScenes) {
      repairs.push(`the model wrote ${script.scenes.length} scenes; the first ${SHORT_LIMITS.maxScenes} were kept`);
      script.scenes = script.scenes.slice(0, SHORT_LIMITS.maxScenes);
    }
    script.scenes = (script.scenes as unknown[]).map((scene, index) => (isRecord(scene) ? repairScene(scene, index + 1, maxCuesPerScene, repairs) : scene));
  }
  return { value: script, repairs };
}

function repairScene(input: Json, number: number, maxCues: number, repairs: string[]): Json {
  const scene: Json = { ...input };
  if (typeof scene.caption === 'string' && scene.caption.trim().length > SHORT_LIMITS.maxCaptionChars) {
    scene.caption = scene.caption.trim().slice(0, SHORT_LIMITS.maxCaptionChars).trim();
    repairs.push(`scene ${number}: the caption was cut to ${SHORT_LIMITS.maxCaptionChars} characters`);
  }
  if (typeof scene.visual === 'string' && scene.visual.trim().length > MAX_VISUAL_CHARS) {
    scene.visual = scene.visual.trim().slice(0, MAX_VISUAL_CHARS).trim();
    repairs.push(`scene ${number}: the visual was cut to ${MAX_VISUAL_CHARS} characters`);
  }
  if (scene.mood !== undefined && !MOOD_SET.has(String(scene.mood))) {
    repairs.push(`scene ${number}: the mood "${String(scene.mood)}" is not one of the moods; the script's was used`);
    delete scene.mood;
  }
  if (Array.isArray(scene.sounds)) {
    const known = scene.sounds.filter((cue): cue is Json => isRecord(cue) && EFFECT_SET.has(String(cue.effect)));
    const unknown = scene.sounds.length - known.length;
    if (unknown > 0) repairs.push(`scene ${number}: ${unknown} sound cue(s) not among the effects (${SOUND_EFFECTS.join(', ')}) were dropped`);
    if (known.length > maxCues) repairs.push(`scene ${number}: ${known.length} sound cues; the first ${maxCues} were kept`);
    const misplaced = known.filter((cue) => cue.at !== undefined && !PLACE_SET.has(String(cue.at))).length;
    if (misplaced > 0) repairs.push(`scene ${number}: ${misplaced} sound cue(s) at a place other than start, middle or end now sound at the start`);
    scene.sounds = known.slice(0, maxCues).map((cue) => (cue.at !== undefined && !PLACE_SET.has(String(cue.at)) ? { ...cue, at: 'start' } : cue));
  }
  return scene;
}
