import { replicateSigningSecret } from '../providers/queued-video-models.ts';
import { standardWebhookVerifier, webhookRegistry, type PendingWebhook } from '../providers/webhook-registry.ts';
import type { Cloud3dContext } from './types.ts';

/**
 * A webhook for this generation when this process receives them (the server runs with a public
 * base URL); otherwise undefined and the adapter polls. Replicate's are verified with its
 * signing secret (no secret: no webhook); fal's carry an unguessable per-request token.
 */
export async function openWebhook(kind: 'fal' | 'replicate', ctx: Cloud3dContext): Promise<PendingWebhook | undefined> {
  if (!webhookRegistry.receiving) return undefined;
  if (kind === 'fal') return webhookRegistry.open('fal', () => true);
  const key = /^Bearer (.+)$/.exec(ctx.headers.authorization ?? '')?.[1];
  const secret = await replicateSigningSecret(ctx.baseURL, key, fetch, ctx.env);
  return secret === undefined ? undefined : webhookRegistry.open('replicate', standardWebhookVerifier(secret));
}
