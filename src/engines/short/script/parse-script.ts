import { ShenbiError } from '../../../core/errors.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { SHORT_LIMITS, shortScriptSchema, type ShortScene, type ShortScript } from '../short-script.ts';
import { detectScriptLanguage } from './language.ts';

/** The title's limit (shortScriptSchema's). */
const MAX_TITLE_CHARS = 60;
/** `caption | narration` (a full-width bar too, as Chinese keyboards type it). */
const CAPTION_BAR = /\s*[|｜]\s*/u;
/** List markers people put before lines ("- ", "1. ", "2、"), not part of what is said. */
const LIST_MARKER = /^(?:[-*•]\s+|\d{1,2}(?:[.)]\s+|、\s*))/u;

/**
 * A user's script: the schema's JSON (validated; INVALID_INPUT lists zod's issues), or plain
 * text — the first non-empty line the title, each further non-empty line one scene's
 * narration, `caption | narration` to give the scene's on-screen caption too; blank lines are
 * ignored; a one-line text breaks at a literal `\n` (as typed in a shell). A plain-text
 * scene's visual is its narration (what the picture step illustrates).
 */
export function parseShortScript(text: string): ShortScript {
  const trimmed = text.trim();
  if (trimmed === '') throw new ShenbiError('INVALID_INPUT', 'the script is empty: write the title on the first line, then one line per scene');
  return trimmed.startsWith('{') ? parseJsonScript(trimmed) : parsePlainScript(trimmed);
}

function parseJsonScript(text: string): ShortScript {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('INVALID_INPUT', `the script starts with "{" but is not valid JSON (${(error as Error).message}); give the script JSON or plain text (first line the title, then one line per scene)`, { cause: error });
  }
  const script = parseOrThrow(shortScriptSchema, value, 'script');
  return script.language === undefined ? { ...script, language: detectScriptLanguage(script.scenes.map((s) => s.narration).join('\n')) } : script;
}

function parsePlainScript(text: string): ShortScript {
  // A script typed on one shell line (`--set script="Title\nScene…"`) has a literal backslash-n where the lines break.
  const lines = (/[\r\n]/u.test(text) ? text : text.replaceAll('\\n', '\n'))
    .split(/\r\n|\r|\n/u)
    .map((line, index) => ({ number: index + 1, text: line.trim() }))
    .filter((line) => line.text !== '');
  const [titleLine, ...sceneLines] = lines;
  if (titleLine === undefined) throw new ShenbiError('INVALID_INPUT', 'the script is empty');
  if (titleLine.text.length > MAX_TITLE_CHARS) {
    throw new ShenbiError('INVALID_INPUT', `line ${titleLine.number} (the title) is ${titleLine.text.length} characters; a title has at most ${MAX_TITLE_CHARS}. The first line is the title, each further line a scene.`, { details: { line: titleLine.number } });
  }
  if (sceneLines.length === 0) throw new ShenbiError('INVALID_INPUT', 'the script has a title but no scenes: after the title line, write one line per scene');
  if (sceneLines.length > SHORT_LIMITS.maxScenes) {
    const over = sceneLines[SHORT_LIMITS.maxScenes]!;
    throw new ShenbiError('INVALID_INPUT', `the script has ${sceneLines.length} scenes (one per line); a short has at most ${SHORT_LIMITS.maxScenes}, and line ${over.number} is scene ${SHORT_LIMITS.maxScenes + 1}`, { details: { line: over.number, scenes: sceneLines.length } });
  }
  const scenes = sceneLines.map((line) => sceneOf(line));
  return {
    title: titleLine.text,
    mood: 'warm',
    language: detectScriptLanguage(text),
    scenes,
  };
}

function sceneOf(line: { number: number; text: string }): ShortScene {
  const body = line.text.replace(LIST_MARKER, '');
  const bar = CAPTION_BAR.exec(body);
  const caption = bar ? body.slice(0, bar.index).trim() : '';
  const narration = bar ? body.slice(bar.index + bar[0].length).trim() : body;
  const fail = (problem: string) => new ShenbiError('INVALID_INPUT', `line ${line.number}: ${problem}`, { details: { line: line.number } });
  if (narration === '') throw fail('the scene has a caption but nothing to say: write `caption | narration`');
  if (narration.length > SHORT_LIMITS.maxNarrationChars) throw fail(`the narration is ${narration.length} characters; a scene says at most ${SHORT_LIMITS.maxNarrationChars} (split it into two lines)`);
  if (caption.length > SHORT_LIMITS.maxCaptionChars) throw fail(`the caption is ${caption.length} characters; a caption has at most ${SHORT_LIMITS.maxCaptionChars}`);
  return { narration, caption, visual: narration, sounds: [] };
}
