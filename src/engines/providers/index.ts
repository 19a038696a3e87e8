export { PROVIDER_PRESETS, ProviderConfigSchema, type ProviderConfig } from './config.ts';
export { providerModel, type ResolveOptions } from './resolve.ts';
export { isRetryableProviderError, retryAfterMs, toProviderError } from './errors.ts';
export { fallback, withErrorMapping, withRetry, withTimeout, type RetryOptions } from './resilience.ts';
