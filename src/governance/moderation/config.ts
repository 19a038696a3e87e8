import { z } from 'zod';

const termEntrySchema = z.union([
  z.string().min(1),
  z.object({ term: z.string().min(1), category: z.string().min(1).default('custom') }).strict(),
]);

export const moderationProviderSchema = z
  .object({
    /** For messages, e.g. "openai". */
    name: z.string().min(1),
    /** OpenAI-compatible API root, e.g. https://api.openai.com/v1 (POST {baseURL}/moderations). */
    baseURL: z.string().url(),
    /** Environment variable holding the API key; none for a self-hosted endpoint without auth. */
    apiKeyEnv: z.string().min(1).optional(),
    model: z.string().min(1).default('omni-moderation-latest'),
    /** When the endpoint cannot be reached: refuse with PROVIDER_UNAVAILABLE (true) or let the text through on the term lists alone (false). */
    failClosed: z.boolean().default(true),
    timeoutMs: z.number().int().min(1).max(120_000).default(10_000),
  })
  .strict();

/** The `moderation` section of config.json. */
export const moderationConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Include the built-in Chinese and English list (default-terms.ts). */
    builtinTerms: z.boolean().default(true),
    /** Extra terms, added to the built-in list: plain strings (category "custom") or { term, category }. */
    terms: z
      .object({ zh: z.array(termEntrySchema).default([]), en: z.array(termEntrySchema).default([]) })
      .strict()
      .default({ zh: [], en: [] }),
    /** A UTF-8 file of more terms, one per line; `#` starts a comment; `category<TAB>term` sets a category. Relative to SHENBI_HOME. */
    extraTermsFile: z.string().min(1).optional(),
    /** An OpenAI-compatible moderation endpoint consulted after the term lists. */
    provider: moderationProviderSchema.optional(),
    /** Also review generated text before it is stored (the governance hook), not just inputs. */
    checkOutputs: z.boolean().default(true),
  })
  .strict();

export type ModerationConfig = z.output<typeof moderationConfigSchema>;
export type ModerationProviderConfig = z.output<typeof moderationProviderSchema>;

/** Moderation as it is when config.json says nothing: on, built-in terms, no provider. */
export function defaultModerationConfig(): ModerationConfig {
  return moderationConfigSchema.parse({});
}
