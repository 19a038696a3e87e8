import type { JobRequest } from '../../api/jobs.ts';

/**
 * The studio's side of the short's script (shortScriptSchema in src/engines/short/short-script.ts):
 * what the script stage returns, read defensively, edited in the page, and sent back as the
 * `short` pipeline's `script` JSON. The lists mirror the schema's enums (the studio bundles no
 * engine code); test/web/studio-short.test.ts checks they stay equal.
 */

/** SOUND_EFFECTS: the effects Shenbi synthesises itself. */
export const SHORT_EFFECTS = ['whoosh', 'pop', 'chime', 'bell', 'rain', 'wind', 'crowd', 'applause', 'footsteps', 'typing', 'heartbeat', 'firework', 'thunder'] as const;
/** SHORT_MOODS (the composer's MOODS). */
export const SHORT_MOODS = ['warm', 'festive', 'lyrical', 'gentle', 'energetic', 'melancholy'] as const;
/** CUE_PLACES: when in its scene a cue sounds. */
export const CUE_PLACES = ['start', 'middle', 'end'] as const;
export const SHORT_ASPECTS = ['9:16', '16:9', '1:1'] as const;
/** SHORT_LIMITS. */
export const SHORT_SECONDS = { min: 15, max: 180, default: 30 } as const;
export const MAX_CUES_PER_SCENE = 4;
export const MAX_CAPTION_CHARS = 60;
/** The `short` pipeline's steps, in order: the stages the page shows progress for. */
export const SHORT_STAGES = ['script', 'pictures', 'short'] as const;

export interface CueDraft {
  effect: string;
  at: string;
}

export interface SceneDraft {
  narration: string;
  caption: string;
  visual: string;
  /** '' = the script's mood. */
  mood: string;
  sounds: CueDraft[];
}

export interface ScriptDraft {
  title: string;
  mood: string;
  language: string | null;
  scenes: SceneDraft[];
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function cueFrom(value: unknown): CueDraft | null {
  if (!isObject(value) || typeof value.effect !== 'string') return null;
  return { effect: value.effect, at: typeof value.at === 'string' ? value.at : 'start' };
}

function sceneFrom(value: unknown): SceneDraft | null {
  if (!isObject(value) || typeof value.narration !== 'string') return null;
  const sounds = Array.isArray(value.sounds) ? value.sounds.map(cueFrom).filter((c): c is CueDraft => c !== null) : [];
  return { narration: value.narration, caption: str(value.caption), visual: str(value.visual), mood: str(value.mood), sounds };
}

/** The script stage's `script` output (the object, or its JSON text) as an editable draft; null if it is not a script. */
export function draftFromOutput(value: unknown): ScriptDraft | null {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!isObject(parsed) || typeof parsed.title !== 'string' || !Array.isArray(parsed.scenes)) return null;
  const scenes = parsed.scenes.map(sceneFrom).filter((s): s is SceneDraft => s !== null);
  if (scenes.length === 0) return null;
  return { title: parsed.title, mood: str(parsed.mood) || 'warm', language: typeof parsed.language === 'string' ? parsed.language : null, scenes };
}

/** The edited script as the schema's JSON: a scene without its own mood leaves it out (it takes the script's). */
export function scriptJson(draft: ScriptDraft): string {
  return JSON.stringify({
    title: draft.title,
    mood: draft.mood,
    ...(draft.language ? { language: draft.language } : {}),
    scenes: draft.scenes.map((scene) => ({
      narration: scene.narration,
      caption: scene.caption,
      visual: scene.visual,
      ...(scene.mood ? { mood: scene.mood } : {}),
      sounds: scene.sounds.map((cue) => ({ effect: cue.effect, at: cue.at })),
    })),
  });
}

const SCRIPT_STAGE_INPUTS = ['idea', 'script', 'duration', 'language', 'model', 'seed'] as const;

/**
 * Only the script stage of the `short` pipeline, as an inline pipeline: an idea (text model)
 * or the user's plain text (parsed by the server) becomes the script to edit before rendering.
 */
export function scriptStageRequest(input: Partial<Record<(typeof SCRIPT_STAGE_INPUTS)[number], string | number>>): JobRequest {
  const types: Record<(typeof SCRIPT_STAGE_INPUTS)[number], 'string' | 'integer'> = { idea: 'string', script: 'string', duration: 'integer', language: 'string', model: 'string', seed: 'integer' };
  return {
    pipeline: {
      id: 'short-script',
      title: 'Short script',
      inputs: Object.fromEntries(SCRIPT_STAGE_INPUTS.map((name) => [name, { type: types[name], optional: true }])),
      steps: [{ id: 'script', uses: 'video.short-script', with: Object.fromEntries(SCRIPT_STAGE_INPUTS.map((name) => [name, { $from: `inputs.${name}` }])) }],
      outputs: { script: { $from: 'script.script' }, document: { $from: 'script.document' } },
    },
    input: Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '' && v !== undefined)),
  };
}
