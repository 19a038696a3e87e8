import { generateObject, jsonSchema, streamText } from 'ai';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { assertUsableJsonSchema } from '../../../core/json-schema.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { modelCacheSalt, requestedModel, type TextModelResolver } from './model-resolver.ts';
import { contextOverflowOf, longInputWriting } from './long-input.ts';
import { buildWritingPrompt, type WritingMode } from './writing-prompts.ts';

const MODES: readonly WritingMode[] = ['chat', 'complete', 'rewrite', 'continue', 'expand'];

function isMode(value: unknown): value is WritingMode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value);
}

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
    inputs: {
      prompt: { type: 'string' },
      mode: { type: 'string', optional: true, default: 'chat' },
      system: { type: 'string', optional: true },
      style: { type: 'string', optional: true },
      maxTokens: { type: 'integer', optional: true, default: 512 },
      temperature: { type: 'number', optional: true, default: 0.7 },
      topP: { type: 'number', optional: true, default: 1 },
      stop: { type: 'json', optional: true },
      schema: { type: 'json', optional: true },
      seed: { type: 'integer', optional: true },
      model: { type: 'string', optional: true },
    },
    outputs: {
      text: { type: 'string' },
      document: { type: 'artifact' },
    },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      const mode = isMode(inputs.mode) ? inputs.mode : 'chat';
      const resolved = await resolveModel(requestedModel(inputs));
      const writing = {
        mode,
        prompt: String(inputs.prompt),
        system: typeof inputs.system === 'string' ? inputs.system : undefined,
        style: typeof inputs.style === 'string' ? inputs.style : undefined,
      };
      const { system, prompt } = buildWritingPrompt(writing);
      const maxOutputTokens = Number(inputs.maxTokens);
      const settings = {
        model: resolved.model,
        ...(system === undefined ? {} : { system }),
        prompt,
        maxOutputTokens,
        temperature: Number(inputs.temperature),
        topP: Number(inputs.topP),
        ...(Array.isArray(inputs.stop) ? { stopSequences: inputs.stop.map(String) } : {}),
        ...(typeof inputs.seed === 'number' ? { seed: inputs.seed } : {}),
        abortSignal: ctx.signal,
        // Retries belong to the job runner (and to provider wrappers), not to two layers at once.
        maxRetries: 0,
        // 'complete' continues the prompt as raw text instead of wrapping it in a chat template.
        ...(mode === 'complete' ? { providerOptions: { llamaCpp: { rawCompletion: true } } } : {}),
      };
      const parameters = { mode, style: inputs.style ?? null, maxTokens: maxOutputTokens, temperature: settings.temperature, topP: settings.topP };

      let text: string;
      let mimeType: string;
      let kind: 'text' | 'json';
      try {
        if (inputs.schema !== undefined && inputs.schema !== null) {
          if (typeof inputs.schema !== 'object') throw new ShenbiError('INVALID_INPUT', 'schema must be a JSON Schema object.');
          assertUsableJsonSchema(inputs.schema);
          ctx.progress({ fraction: 0.1, message: 'generating JSON' });
          const result = await generateObject({ ...settings, schema: jsonSchema(inputs.schema as Record<string, unknown>) });
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
            text = await longInputWriting(mode, String(inputs.prompt), overflow, maxOutputTokens, (piece) => stream(buildWritingPrompt({ ...writing, prompt: piece }).prompt));
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
        seed: typeof inputs.seed === 'number' ? inputs.seed : null,
      });
      return { text, document: artifact.id };
    },
  };
}
