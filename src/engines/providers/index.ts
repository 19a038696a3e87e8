export { PRESET_START_HINTS, PROVIDER_PRESETS, ProviderConfigSchema, type ProviderConfig } from './config.ts';
export { isConnectionFailure, unreachableProvider, withUnreachableAsFailure } from './unreachable.ts';
export { providerModel, resolveSpec, type ResolveOptions, type ResolvedSpec } from './resolve.ts';
export { providerImageModel, providerSpeechModel, providerTranscriptionModel, providerVideoModel } from './media-models.ts';
export { isRetryableProviderError, retryAfterMs, toProviderError } from './errors.ts';
export { fallback, withErrorMapping, withRetry, withTimeout, type RetryOptions } from './resilience.ts';
