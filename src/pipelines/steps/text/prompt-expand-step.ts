import { generateObject, jsonSchema } from 'ai';
import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { modelName, prompt, seed } from '../../../tasks/common-fields.ts';
import { present } from '../present-inputs.ts';
import { modelCacheSalt, type TextModelResolver } from './model-resolver.ts';

/**
 * Prompt expansion in the manner of DALL·E 3's caption upsampling and Action-GPT: a short
 * phrase becomes N detailed, different descriptions written for the engine that will use
 * them. Image, video, music and motion pipelines put this step in front of their generator.
 */
export const EXPANSION_TARGETS = {
  image:
    'Each description is a prompt for an image generator: subject and its details, setting, composition and framing, lighting, colour palette, art style or medium, mood. One paragraph, no lists.',
  video:
    'Each description is a prompt for a video generator: subject, what happens over a few seconds in order, camera movement, setting, lighting, mood. One paragraph, present tense.',
  motion:
    'Each description is a prompt for a motion generator (Action-GPT style): the body movement step by step — which limbs move, in which direction, how fast, weight shifts, start and end pose. No scenery.',
  music:
    'Each description is a prompt for a music generator: genre, tempo in BPM, key or mode, instruments, structure, mood, production style.',
  general: 'Each description is a detailed, concrete elaboration of the phrase.',
  // For English-only image models (local diffusion, ComfyUI, AUTOMATIC1111), as 太乙 exists to solve for Chinese.
  'image-english':
    'Each description is a prompt for an English-only image generator: subject and its details, setting, composition, lighting, colour palette, art style or medium, mood. Keep every subject, colour and detail the phrase names. One paragraph, no lists.',
} as const satisfies Record<string, string>;

/** Long enough for a DALL·E 3-style caption (60–100 English words, or ~200 Chinese characters). */
const MAX_DESCRIPTION_CHARS = 600;

export type ExpansionTarget = keyof typeof EXPANSION_TARGETS;

const inputSchema = z.object({
  prompt,
  count: z.number().int().min(1).max(8).default(4),
  target: z.enum(Object.keys(EXPANSION_TARGETS) as [ExpansionTarget, ...ExpansionTarget[]]).default('image'),
  maxTokens: z.number().int().min(1).max(131_072).optional().describe('Default: enough for count descriptions of the longest allowed length.'),
  temperature: z.number().min(0).max(2).default(0.8),
  seed,
  model: modelName,
});

export function expansionPrompt(phrase: string, count: number, target: ExpansionTarget): { system: string; prompt: string } {
  return {
    system: `You expand short phrases into rich descriptions. ${EXPANSION_TARGETS[target]} ${target === 'image-english' ? 'Write in English, whatever the language of the phrase.' : 'Write in the language of the phrase.'} Make the ${count} descriptions clearly different from each other (different interpretations, styles or moments).`,
    prompt: `Phrase: ${phrase}\nReturn JSON {"descriptions": [...]} with exactly ${count} descriptions.`,
  };
}

export function promptExpandStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'prompt.expand',
    title: 'Expand a prompt',
    description: 'A short phrase becomes N detailed descriptions for an image, video, motion or music engine.',
    version: '2',
    engine: 'text',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: {
      descriptions: { type: 'json' },
      /** The first description, for a generator that takes one prompt. */
      description: { type: 'string' },
      document: { type: 'artifact' },
    },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      const { count, target, prompt: phrase, maxTokens, temperature, seed: givenSeed, model } = parseOrThrow(inputSchema, present(inputs), 'prompt.expand input');
      const resolved = await resolveModel(model);
      const { system, prompt } = expansionPrompt(phrase, count, target);
      // The count and a length bound are enforced by the schema (constrained decoding on local
      // models, JSON mode on cloud ones): an unbounded string lets a weak model ramble past
      // maxTokens and never close the JSON.
      const schema = {
        type: 'object',
        properties: { descriptions: { type: 'array', items: { type: 'string', minLength: 1, maxLength: MAX_DESCRIPTION_CHARS }, minItems: count, maxItems: count } },
        required: ['descriptions'],
        additionalProperties: false,
      };
      ctx.progress({ fraction: 0.1, message: `expanding into ${count}` });
      let descriptions: string[];
      try {
        const result = await generateObject({
          model: resolved.model,
          system,
          prompt,
          schema: jsonSchema<{ descriptions: string[] }>(schema),
          maxOutputTokens: maxTokens ?? 64 + count * MAX_DESCRIPTION_CHARS,
          temperature,
          ...(givenSeed === undefined ? {} : { seed: givenSeed }),
          abortSignal: ctx.signal,
          maxRetries: 0,
        });
        descriptions = result.object.descriptions.map((d) => d.trim());
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const document = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify({ prompt: phrase, target, descriptions }, null, 2), 'utf8'),
        name: 'expanded-prompts.json',
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters: { count, target, temperature },
        seed: givenSeed ?? null,
      });
      return { descriptions, description: descriptions[0] ?? '', document: document.id };
    },
  };
}
