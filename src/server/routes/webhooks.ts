import type { Hono } from 'hono';
import { ShenbiError } from '../../core/errors.ts';
import { webhookRegistry } from '../../engines/providers/webhook-registry.ts';
import type { ServerEnv } from '../context.ts';
import { assertJsonDepth } from '../middleware/json-body.ts';

/** Largest webhook body read (a prediction with its logs), bytes. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

/**
 * `POST /api/webhooks/:provider/:token`: a cloud provider (Replicate, fal) reporting that a
 * job finished. Public (providers hold no Shenbi key); what makes it safe is the unguessable
 * per-job token in the path and, for Replicate, its signature over the raw body. A bad
 * signature is 401 and completes nothing; an unknown or finished token is 404. Mounted
 * before authentication; webhook URLs are only given to providers when `publicBaseUrl` is set.
 */
export function registerWebhookRoutes(app: Hono<ServerEnv>, publicBaseUrl: string | null | undefined): void {
  webhookRegistry.setReceiver(publicBaseUrl ?? undefined);
  app.post('/api/webhooks/:provider/:token', async (c) => {
    const raw = await c.req.text();
    if (Buffer.byteLength(raw) > MAX_WEBHOOK_BYTES) throw new ShenbiError('PAYLOAD_TOO_LARGE', `The webhook body is larger than ${MAX_WEBHOOK_BYTES} bytes.`);
    assertJsonDepth(raw);
    const outcome = webhookRegistry.deliver(c.req.param('provider'), c.req.param('token'), c.req.raw.headers, raw);
    if (outcome === 'unknown') throw new ShenbiError('JOB_NOT_FOUND', 'No job waits on this webhook (unknown or already finished).');
    if (outcome === 'refused') throw new ShenbiError('UNAUTHORIZED', 'The webhook signature does not verify.');
    return c.json({ ok: true });
  });
}
