import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import type { ModerationProviderConfig } from './config.ts';

/** OpenAI's moderation response (POST /v1/moderations), as much of it as we read. */
const moderationResponseSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  results: z
    .array(
      z.object({
        flagged: z.boolean(),
        categories: z.record(z.string(), z.boolean().nullable()).default({}),
        category_scores: z.record(z.string(), z.number()).default({}),
      }),
    )
    .min(1),
});

export interface ProviderVerdict {
  flagged: boolean;
  /** Categories the provider flagged, highest score first. */
  categories: string[];
  /** Index of the first flagged input. */
  index: number;
}

/**
 * Calls an OpenAI-compatible moderation endpoint (the AI SDK has no moderation API).
 * Unreachable, timing out or 5xx → PROVIDER_UNAVAILABLE; 401/403 → PROVIDER_KEY_MISSING;
 * other 4xx or a body that is not a moderation response → PROVIDER_REJECTED.
 */
export async function moderateWithProvider(
  provider: ModerationProviderConfig,
  inputs: readonly string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<ProviderVerdict> {
  const env = options.env ?? process.env;
  const key = provider.apiKeyEnv === undefined ? undefined : env[provider.apiKeyEnv];
  if (provider.apiKeyEnv !== undefined && (key === undefined || key === '')) {
    throw new ShenbiError('PROVIDER_KEY_MISSING', `The moderation provider "${provider.name}" needs an API key in $${provider.apiKeyEnv}.`, {
      hint: `Set ${provider.apiKeyEnv}, or remove moderation.provider from config.json.`,
    });
  }
  const url = `${provider.baseURL.replace(/\/+$/, '')}/moderations`;
  const signals = [AbortSignal.timeout(provider.timeoutMs), ...(options.signal === undefined ? [] : [options.signal])];
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
      body: JSON.stringify({ model: provider.model, input: inputs.length === 1 ? inputs[0] : inputs }),
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    throw unavailable(provider, url, error instanceof Error ? error.message : String(error), error);
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 500 || response.status === 429) throw unavailable(provider, url, `HTTP ${response.status}`);
  if (response.status === 401 || response.status === 403) {
    throw new ShenbiError('PROVIDER_KEY_MISSING', `The moderation provider "${provider.name}" refused the API key (HTTP ${response.status}).`, {
      details: { provider: provider.name, status: response.status },
    });
  }
  if (!response.ok) {
    throw new ShenbiError('PROVIDER_REJECTED', `The moderation provider "${provider.name}" rejected the request: HTTP ${response.status} ${text.slice(0, 300)}`, {
      details: { provider: provider.name, status: response.status },
    });
  }
  let body: z.output<typeof moderationResponseSchema>;
  try {
    body = moderationResponseSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new ShenbiError('PROVIDER_REJECTED', `The moderation provider "${provider.name}" answered with something that is not a moderation response.`, {
      cause: error,
      details: { provider: provider.name },
    });
  }
  const index = body.results.findIndex((r) => r.flagged);
  if (index === -1) return { flagged: false, categories: [], index: -1 };
  const result = body.results[index];
  const categories = Object.entries(result?.categories ?? {})
    .filter(([, on]) => on === true)
    .map(([name]) => name)
    .sort((a, b) => (result?.category_scores[b] ?? 0) - (result?.category_scores[a] ?? 0));
  return { flagged: true, categories, index };
}

function unavailable(provider: ModerationProviderConfig, url: string, reason: string, cause?: unknown): ShenbiError {
  return new ShenbiError('PROVIDER_UNAVAILABLE', `The moderation provider "${provider.name}" cannot be reached at ${url}: ${reason}.`, {
    cause,
    details: { provider: provider.name, url },
    hint: 'Check that the endpoint is up, or set moderation.provider.failClosed to false to rely on the term lists when it is down.',
  });
}
