import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
  SharedV3Warning,
} from '@ai-sdk/provider';
import { LlamaCompletion, type LlamaCompletionGenerationOptions } from 'node-llama-cpp';
import { ShenbiError } from '../../core/errors.ts';
import type { ModelPool } from './model-pool.ts';

/** Plain-text rendering of the prompt (chat templates not wired yet: stories260K has none). */
function renderPrompt(prompt: LanguageModelV3Prompt): string {
  const parts: string[] = [];
  for (const message of prompt) {
    if (message.role === 'system') parts.push(message.content);
    else if (message.role === 'user' || message.role === 'assistant') {
      for (const part of message.content) if (part.type === 'text') parts.push(part.text);
    }
  }
  return parts.join('\n');
}

function mapFinish(reason: string): LanguageModelV3FinishReason {
  const unified = reason === 'maxTokens' ? 'length' : reason === 'abort' ? 'other' : 'stop';
  return { unified, raw: reason };
}

function usage(input: number, output: number): LanguageModelV3Usage {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

interface RunResult {
  text: string;
  finishReason: LanguageModelV3FinishReason;
  usage: LanguageModelV3Usage;
  warnings: SharedV3Warning[];
}

export class LlamaCppLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'shenbi.llama-cpp';
  readonly supportedUrls = {};

  constructor(
    readonly modelId: string,
    private readonly pool: ModelPool,
  ) {}

  /** Runs one completion on a sequence of the shared context; the sequence is freed afterwards. */
  async #run(options: LanguageModelV3CallOptions, onText?: (text: string) => void): Promise<RunResult> {
    const warnings: SharedV3Warning[] = [];
    if (options.tools && options.tools.length > 0) warnings.push({ type: 'unsupported', feature: 'tools', details: 'tool calling not implemented for llama-cpp yet' });
    return this.pool.use(this.modelId, async ({ model, context }) => {
      const text = renderPrompt(options.prompt);
      const tokens = model.tokenize(text, true);
      const budget = context.contextSize - (options.maxOutputTokens ?? 0);
      if (tokens.length >= budget) {
        throw new ShenbiError('CONTEXT_OVERFLOW', `prompt is ${tokens.length} tokens; context holds ${context.contextSize} (with ${options.maxOutputTokens ?? 0} reserved for output)`);
      }
      const sequence = context.getSequence();
      const completion = new LlamaCompletion({ contextSequence: sequence });
      try {
        const generation: LlamaCompletionGenerationOptions = {
          // Never unbounded: without a limit a model that never emits EOS would run until killed.
          maxTokens: options.maxOutputTokens ?? Math.max(1, context.contextSize - tokens.length),
          temperature: options.temperature ?? 0,
          topK: options.topK,
          topP: options.topP,
          seed: options.seed,
          signal: options.abortSignal,
          stopOnAbortSignal: true,
          customStopTriggers: options.stopSequences,
          onTextChunk: onText,
        };
        if (options.responseFormat?.type === 'json') {
          const llama = model.llama;
          generation.grammar = options.responseFormat.schema
            ? await llama.createGrammarForJsonSchema(options.responseFormat.schema as never)
            : await llama.getGrammarFor('json');
        }
        let outputTokens = 0;
        const result = await completion.generateCompletionWithMeta(tokens, { ...generation, onToken: (t) => (outputTokens += t.length) });
        return { text: result.response, finishReason: mapFinish(result.metadata.stopReason), usage: usage(tokens.length, outputTokens), warnings };
      } finally {
        completion.dispose({ disposeSequence: true });
      }
    });
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const result = await this.#run(options);
    return { content: [{ type: 'text', text: result.text }], finishReason: result.finishReason, usage: result.usage, warnings: result.warnings };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      start: (controller) => {
        controller.enqueue({ type: 'stream-start', warnings: [] });
        controller.enqueue({ type: 'text-start', id: '0' });
        this.#run(options, (delta) => controller.enqueue({ type: 'text-delta', id: '0', delta })).then(
          (result) => {
            controller.enqueue({ type: 'text-end', id: '0' });
            controller.enqueue({ type: 'finish', finishReason: result.finishReason, usage: result.usage });
            controller.close();
          },
          (error: unknown) => {
            controller.enqueue({ type: 'error', error });
            controller.close();
          },
        );
      },
    });
    return { stream };
  }
}
