import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ServerServices } from '../context.ts';
import { readJsonBody } from '../middleware/json-body.ts';
import type { RouteBook } from '../route-book.ts';

export const moderationRequestSchema = z
  .object({
    input: z.union([z.string().max(100_000), z.array(z.string().max(100_000)).min(1).max(64)]),
    model: z.string().min(1).max(200).optional(),
  })
  .strict();

/**
 * POST /v1/moderations with Shenbi's own moderation (term lists, then the configured provider).
 * The term lists decide yes or no, so scores are 0 or 1; the flagged category is the list's.
 */
export function registerModerationRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'post', path: '/v1/moderations', summary: "OpenAI moderations answered by Shenbi's moderation (term lists and the configured provider).", tag: 'openai', scope: 'generate', body: moderationRequestSchema }, async (c) => {
    const body = await readJsonBody(c, moderationRequestSchema);
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const results = [];
    for (const text of inputs) {
      const verdict = await services.moderator.moderate([text], c.req.raw.signal);
      const categories: Record<string, boolean> = verdict.allowed ? {} : { [verdict.category]: true };
      const scores: Record<string, number> = verdict.allowed ? {} : { [verdict.category]: 1 };
      results.push({ flagged: !verdict.allowed, categories, category_scores: scores, ...(verdict.allowed ? {} : { reason: verdict.reason }) });
    }
    return c.json({ id: `modr-${randomBytes(12).toString('hex')}`, model: body.model ?? 'shenbi-moderation', results });
  });
}
