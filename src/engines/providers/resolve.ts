import { createAnthropic } from '@ai-sdk/anthropic';
import { createDeepSeek } from '@ai-sdk/deepseek';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { ShenbiError } from '../../core/errors.ts';
import { boundedFetch, TEXT_RESPONSE_LIMITS, type ResponseLimits } from './bounded-fetch.ts';
import { PROVIDER_PRESETS, ProviderConfigSchema, type ProviderConfig } from './config.ts';
import { withUnreachableAsFailure } from './unreachable.ts';

export interface ResolveOptions {
  /** Extra or overriding provider configs (validated); presets are used otherwise. */
  providers?: readonly ProviderConfig[];
  env?: NodeJS.ProcessEnv;
  /** Bounds on each HTTP answer (default TEXT_RESPONSE_LIMITS for text; media models use MEDIA_RESPONSE_LIMITS). */
  responseLimits?: ResponseLimits;
}

function findProvider(name: string, options: ResolveOptions): ProviderConfig {
  const found = [...(options.providers ?? []), ...PROVIDER_PRESETS].find((p) => p.name === name);
  if (!found) throw new ShenbiError('INVALID_INPUT', `unknown provider "${name}"`);
  return ProviderConfigSchema.parse(found);
}

function apiKey(config: ProviderConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (!config.apiKeyEnv) return undefined;
  const key = env[config.apiKeyEnv];
  // Local servers (vLLM, llama.cpp) run without a key; anything remote needs one.
  const local = config.baseURL !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(config.baseURL);
  if (!key && !local) {
    throw new ShenbiError('PROVIDER_KEY_MISSING', `provider "${config.name}" needs an API key: set ${config.apiKeyEnv}`, {
      hint: `export ${config.apiKeyEnv}=...`,
    });
  }
  return key;
}

/** A `provider:model` spec resolved to its provider config, model id and key. */
export interface ResolvedSpec {
  config: ProviderConfig;
  modelId: string;
  key: string | undefined;
}

/** `defaultModel` picks the model when the spec names none (e.g. a speech default for the provider's kind). */
export function resolveSpec(spec: string, options: ResolveOptions = {}, defaultModel?: (config: ProviderConfig) => string | undefined): ResolvedSpec {
  const sep = spec.indexOf(':');
  const name = sep < 0 ? spec : spec.slice(0, sep);
  const config = findProvider(name, options);
  const modelId = sep < 0 ? (defaultModel ? defaultModel(config) : config.defaultModel) : spec.slice(sep + 1);
  if (!modelId) throw new ShenbiError('INVALID_INPUT', `provider "${name}" has no default model; use ${name}:<model>`);
  return { config, modelId, key: apiKey(config, options.env ?? process.env) };
}

/**
 * Resolves `provider:model` (or `provider` for its default model) to an AI SDK language model.
 * A server that cannot be reached fails as PROVIDER_UNAVAILABLE naming its URL and what to start.
 */
export function providerModel(spec: string, options: ResolveOptions = {}): LanguageModelV3 {
  const resolved = resolveSpec(spec, options);
  return withUnreachableAsFailure(baseProviderModel(resolved, boundedFetch(options.responseLimits ?? TEXT_RESPONSE_LIMITS)), resolved.config);
}

function baseProviderModel({ config, modelId, key }: ResolvedSpec, fetch: typeof globalThis.fetch): LanguageModelV3 {
  const common = { baseURL: config.baseURL, headers: config.headers, apiKey: key, fetch };
  switch (config.kind) {
    case 'openai': return createOpenAI(common).chat(modelId);
    case 'anthropic': return createAnthropic(common)(modelId);
    case 'google': return createGoogleGenerativeAI(common)(modelId);
    case 'deepseek': return createDeepSeek(common)(modelId);
    case 'openai-compatible':
      return createOpenAICompatible({ name: config.name, baseURL: config.baseURL ?? '', headers: config.headers, apiKey: key, fetch })(modelId);
    case 'elevenlabs':
    case 'automatic1111':
    case 'comfyui':
    case 'fal':
    case 'replicate':
    case 'luma':
    case 'black-forest-labs':
    case 'meshy':
    case 'tripo':
    case 'rodin':
    case 'motion-http':
    case 'did':
      throw new ShenbiError('INVALID_INPUT', `provider "${config.name}" (${config.kind}) does not generate text`);
  }
}
