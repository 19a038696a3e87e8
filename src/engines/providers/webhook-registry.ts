import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sleep } from '../../core/backoff.ts';

/**
 * In-process rendezvous between a cloud job waiting for its result and the HTTP route that
 * receives the provider's webhook. A job registers a pending entry under an unguessable token
 * (part of the webhook URL it gives the provider) and waits with a timeout; the route finds
 * the entry by token, checks the provider's signature, and hands over the payload. Webhook
 * URLs are only handed out while a receiver (this process's HTTP server with a public base
 * URL) is registered: a webhook nobody in this process can receive would only delay polling.
 */
export type WebhookVerifier = (headers: Headers, rawBody: string) => boolean;

export interface PendingWebhook {
  readonly provider: string;
  readonly token: string;
  readonly url: string;
  /** Resolves with the payload, or with undefined after `timeoutMs` (then: poll instead). Rejects when `signal` aborts. */
  wait(timeoutMs: number, signal?: AbortSignal | null): Promise<unknown>;
  /** Forgets the entry; a later delivery gets 404. */
  close(): void;
}

interface Entry {
  provider: string;
  verify: WebhookVerifier;
  payload: { value: unknown } | undefined;
  waiters: Set<() => void>;
}

// A function, so TypeScript does not keep the narrowing from before the wait.
const delivered = (entry: Entry): unknown => entry.payload?.value;

export type DeliveryResult = 'delivered' | 'unknown' | 'refused';

export class WebhookRegistry {
  readonly #entries = new Map<string, Entry>();
  #receiverBaseUrl: string | undefined;

  /** The server calls this when it mounts the webhook route with a public base URL. */
  setReceiver(publicBaseUrl: string | undefined): void {
    this.#receiverBaseUrl = publicBaseUrl?.replace(/\/+$/, '');
  }

  get receiving(): boolean {
    return this.#receiverBaseUrl !== undefined;
  }

  /** A pending entry with its webhook URL, or undefined when no receiver runs in this process. */
  open(provider: string, verify: WebhookVerifier): PendingWebhook | undefined {
    const base = this.#receiverBaseUrl;
    if (base === undefined) return undefined;
    const token = randomBytes(32).toString('base64url');
    const entry: Entry = { provider, verify, payload: undefined, waiters: new Set() };
    this.#entries.set(token, entry);
    return {
      provider,
      token,
      url: `${base}/api/webhooks/${provider}/${token}`,
      wait: async (timeoutMs, signal) => {
        if (entry.payload) return delivered(entry);
        const timeout = new AbortController();
        const arrived = new Promise<void>((resolve) => entry.waiters.add(resolve));
        const both = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
        try {
          await Promise.race([arrived, sleep(timeoutMs, both).catch((error: unknown) => { if (signal?.aborted) throw error; })]);
        } finally {
          timeout.abort();
        }
        if (signal?.aborted) throw signal.reason;
        return delivered(entry);
      },
      close: () => {
        this.#entries.delete(token);
      },
    };
  }

  /** Called by the route: 'unknown' (no such pending job), 'refused' (bad signature), or 'delivered'. */
  deliver(provider: string, token: string, headers: Headers, rawBody: string): DeliveryResult {
    const entry = this.#entries.get(token);
    if (entry === undefined || entry.provider !== provider) return 'unknown';
    if (!entry.verify(headers, rawBody)) return 'refused';
    let value: unknown;
    try {
      value = JSON.parse(rawBody);
    } catch {
      return 'refused';
    }
    entry.payload = { value };
    for (const wake of entry.waiters) wake();
    entry.waiters.clear();
    return 'delivered';
  }
}

/** The one registry of this process, shared by the provider models and the server route. */
export const webhookRegistry = new WebhookRegistry();

/** How far a signed timestamp may be from now (Standard Webhooks suggests 5 minutes). */
const TOLERANCE_S = 5 * 60;

/**
 * Replicate signs webhooks the Standard Webhooks way: HMAC-SHA256 over
 * `${webhook-id}.${webhook-timestamp}.${body}` with the base64 key after `whsec_`, sent as
 * space-separated `v1,<base64>` entries in `webhook-signature`.
 */
export function standardWebhookVerifier(secret: string, now: () => number = Date.now): WebhookVerifier {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return (headers, rawBody) => {
    const id = headers.get('webhook-id');
    const timestamp = headers.get('webhook-timestamp');
    const signatures = headers.get('webhook-signature');
    if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
    if (Math.abs(now() / 1000 - Number(timestamp)) > TOLERANCE_S) return false;
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
    return signatures.split(' ').some((entry) => {
      const [version, signature] = entry.split(',');
      if (version !== 'v1' || !signature) return false;
      const given = Buffer.from(signature, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  };
}

/** Signs like a Standard Webhooks sender (tests and fakes use it to play the provider). */
export function signStandardWebhook(secret: string, id: string, timestamp: number, rawBody: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest('base64')}`;
}
