import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { present } from '../present-inputs.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { detectScriptLanguage, ideaToScript, parseShortScript, tagSoundCues } from '../../../engines/short/script/index.ts';
import { SHORT_LIMITS, type ShortScript } from '../../../engines/short/short-script.ts';
import type { ResolvedTextModel, TextModelResolver } from '../text/model-resolver.ts';

/** A user's script, plain text or JSON: 30 scenes of full narration, caption and visual fit well inside. */
const MAX_SCRIPT_CHARS = 50_000;
const DURATION_RANGE = `${SHORT_LIMITS.minSeconds}–${SHORT_LIMITS.maxSeconds} seconds`;

const inputSchema = z
  .object({
    idea: z
      .string()
      .trim()
      .max(SHORT_LIMITS.maxIdeaChars, { error: (issue) => `the idea is ${String((issue.input as string).length)} characters; an idea has at most ${SHORT_LIMITS.maxIdeaChars} (one or two sentences — bring a longer text as the script)` })
      .optional(),
    /** Plain text or the script JSON as text; the JSON as an object too (`--set script='{…}'` arrives parsed). */
    script: z.union([z.string().trim().max(MAX_SCRIPT_CHARS, `a script has at most ${MAX_SCRIPT_CHARS} characters`), z.record(z.string(), z.unknown())]).optional(),
    duration: z
      .number({ error: `the duration is a whole number of seconds, ${DURATION_RANGE}` })
      .int(`the duration is a whole number of seconds, ${DURATION_RANGE}`)
      .min(SHORT_LIMITS.minSeconds, `the duration must be ${DURATION_RANGE}`)
      .max(SHORT_LIMITS.maxSeconds, `the duration must be ${DURATION_RANGE}`)
      .default(30),
    language: z.enum(['auto', 'zh', 'en']).default('auto'),
    model: z.string().trim().min(1).optional(),
    seed: z.number().int().optional(),
  })
  .refine((input) => (input.script ?? '') !== '' || (input.idea ?? '') !== '', { error: 'give an idea (one sentence: what the short is about) or a script', path: ['idea'] });
type ShortScriptStepInput = z.output<typeof inputSchema>;

/** The hint a missing text model gets here: the pull command, and the way round it. */
const SCRIPT_HINT = 'or write the script yourself: --set script="Title\\nfirst scene\\nsecond scene…" (plain text: first line the title, then one line per scene; `caption | narration` adds a caption)';

/** The user's script as text, when one was given (an empty one is none). */
function givenScript(input: ShortScriptStepInput): string | undefined {
  if (input.script === undefined || input.script === '') return undefined;
  return typeof input.script === 'string' ? input.script : JSON.stringify(input.script);
}

function parseInputs(inputs: Record<string, unknown>): ShortScriptStepInput {
  return parseOrThrow(inputSchema, present(inputs), 'video.short-script input');
}

/**
 * The text model, resolved as every text step resolves it; a model that is not installed is
 * the same MODEL_NOT_INSTALLED (pull command and all), its hint extended with the script input.
 */
async function resolveWithScriptHint(resolveModel: TextModelResolver, name: string | undefined): Promise<ResolvedTextModel> {
  try {
    return await resolveModel(name);
  } catch (error) {
    if (error instanceof ShenbiError && error.code === 'MODEL_NOT_INSTALLED') {
      throw new ShenbiError(error.code, error.message, {
        ...(error.details === undefined ? {} : { details: error.details }),
        hint: error.hint === undefined ? SCRIPT_HINT : `${error.hint} — ${SCRIPT_HINT}`,
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * The first stage of a short: a script of scenes (narration, caption, visual, mood, sound
 * cues) from the user's own text or JSON, or written by the text model from one sentence.
 * Scenes without sound cues get them by rule (tagSoundCues), except in a given JSON script, which says what it wants.
 */
export function shortScriptStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'video.short-script',
    title: 'Idea to short script',
    description: 'One sentence becomes a titled script of scenes with narration, captions, visuals, moods and sound cues (or your own script is read).',
    version: '1',
    engine: 'text',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: { script: { type: 'json' }, document: { type: 'artifact' }, scenes: { type: 'number' }, source: { type: 'string' }, warnings: { type: 'json', optional: true } },
    async cacheSalt(inputs) {
      const input = parseInputs(inputs);
      if (givenScript(input) !== undefined) return { source: 'given' };
      const resolved = await resolveWithScriptHint(resolveModel, input.model);
      return { model: resolved.name, sha256: resolved.sha256 };
    },
    async run(ctx, inputs) {
      const input = parseInputs(inputs);
      let script: ShortScript;
      let warnings: string[] = [];
      let resolved: ResolvedTextModel | undefined;
      const given = givenScript(input);
      if (given !== undefined) {
        script = parseShortScript(given);
        if (input.language !== 'auto') script = { ...script, language: input.language };
      } else {
        const idea = input.idea ?? '';
        const language = input.language === 'auto' ? detectScriptLanguage(idea) : input.language;
        resolved = await resolveWithScriptHint(resolveModel, input.model);
        ctx.progress({ fraction: 0.05, message: 'writing the script' });
        try {
          ({ script, warnings } = await ideaToScript({
            model: resolved.model,
            idea,
            seconds: input.duration,
            language,
            ...(input.seed === undefined ? {} : { seed: input.seed }),
            signal: ctx.signal,
            onRetry: (attempt) => ctx.progress({ fraction: 0.05 + 0.25 * attempt, message: `the script was not valid; asking again (${attempt + 1})` }),
          }));
        } catch (error) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          throw toShenbiError(error, 'ENGINE_FAILED');
        }
      }
      // A JSON script says exactly which cues it wants (an edited one may have removed them all);
      // plain text and a model's script get cues by rule where a scene has none.
      if (given === undefined || !given.trim().startsWith('{')) script = tagSoundCues(script);
      for (const warning of warnings) ctx.progress({ message: `warning: ${warning}` });
      const source = resolved === undefined ? 'given' : 'text-model';
      const document = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify(script, null, 2), 'utf8'),
        name: 'short-script.json',
        engine: resolved?.engine ?? { id: 'shenbi-short-script', version: '1' },
        model: resolved === undefined ? null : { name: resolved.name, sha256: resolved.sha256 },
        parameters: { source, scenes: script.scenes.length, language: script.language ?? null, ...(resolved === undefined ? {} : { duration: input.duration }), ...(warnings.length === 0 ? {} : { warnings }) },
        seed: input.seed ?? null,
      });
      return { script, document: document.id, scenes: script.scenes.length, source, ...(warnings.length === 0 ? {} : { warnings }) };
    },
  };
}
