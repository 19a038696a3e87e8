import { generateObject, jsonSchema, streamText } from 'ai';
import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import { assertUsableJsonSchema } from '../../../core/json-schema.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { modelName, prompt, seed } from '../../../tasks/common-fields.ts';
import { textGenerationFields } from '../../../tasks/text.ts';
import { present } from '../present-inputs.ts';
import { modelCacheSalt, type TextModelResolver } from './model-resolver.ts';
import { contextOverflowOf, longInputWriting } from './long-input.ts';
import { buildWritingPrompt } from './writing-prompts.ts';

const inputSchema = z.object({ prompt, ...textGenerationFields, seed, model: modelName });

/**
 * Chat, rewrite/continue/expand with style presets, and JSON-schema output, on any model the
 * resolver can produce (local llama.cpp or a cloud provider). Streams so the job shows
 * progress and cancellation stops generation mid-way.
 */
export function textGenerateStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'text.generate',
    title: 'Generate text',
    description: 'Chat, writing modes with style presets, or JSON that follows a schema.',
    version: '1',
    engine: 'text',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: {
      text: { type: 'string' },
      document: { type: 'artifact' },
    },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'text.generate input');
      const { mode } = input;
      const resolved = await resolveModel(input.model);
      const writing = { mode, prompt: input.prompt, system: input.system, style: input.style };
      const { system, prompt } = buildWritingPrompt(writing);
      const maxOutputTokens = input.maxTokens;
      const settings = {
        model: resolved.model,
        ...(system === undefined ? {} : { system }),
        prompt,
        maxOutputTokens,
        temperature: input.temperature,
        topP: input.topP,
        ...(input.stop === undefined ? {} : { stopSequences: input.stop }),
        ...(input.seed === undefined ? {} : { seed: input.seed }),
        abortSignal: ctx.signal,
        // Retries belong to the job runner (and to provider wrappers), not to two layers at once.
        maxRetries: 0,
        // 'complete' continues the prompt as raw text instead of wrapping it in a chat template.
        ...(mode === 'complete' ? { providerOptions: { llamaCpp: { rawCompletion: true } } } : {}),
      };
      const parameters = { mode, style: input.style ?? null, maxTokens: maxOutputTokens, temperature: settings.temperature, topP: settings.topP };

      let text: string;
      let mimeType: string;
      let kind: 'text' | 'json';
      try {
        if (input.schema !== undefined) {
          assertUsableJsonSchema(input.schema);
          ctx.progress({ fraction: 0.1, message: 'generating JSON' });
          const result = await generateObject({ ...settings, schema: jsonSchema(input.schema) });
          text = JSON.stringify(result.object, null, 2);
          mimeType = 'application/json';
          kind = 'json';
        } else {
          let deltas = 0;
          const stream = async (prompt: string): Promise<string> => {
            // textStream ends quietly on an error part: keep the error and fail with it, never with empty text.
            let streamError: { error: unknown } | undefined;
            const result = streamText({ ...settings, prompt, onError: (event) => void (streamError ??= event) });
            let out = '';
            for await (const delta of result.textStream) {
              out += delta;
              deltas++;
              if (deltas % 8 === 0) ctx.progress({ fraction: Math.min(0.99, deltas / maxOutputTokens), message: `${deltas} tokens` });
            }
            if (streamError !== undefined) throw streamError.error;
            return out;
          };
          try {
            text = await stream(prompt);
          } catch (error) {
            // A text to rewrite or continue that is longer than the model's context: see long-input.ts.
            const overflow = contextOverflowOf(error);
            if (overflow === undefined || (mode !== 'rewrite' && mode !== 'continue') || deltas > 0) throw error;
            text = await longInputWriting(mode, input.prompt, overflow, maxOutputTokens, (piece) => stream(buildWritingPrompt({ ...writing, prompt: piece }).prompt));
          }
          mimeType = 'text/markdown; charset=utf-8';
          kind = 'text';
        }
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const artifact = await ctx.writeArtifact({
        kind,
        mimeType,
        bytes: Buffer.from(text, 'utf8'),
        name: kind === 'json' ? 'output.json' : 'output.md',
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters,
        seed: input.seed ?? null,
      });
      return { text, document: artifact.id };
    },
  };
}
