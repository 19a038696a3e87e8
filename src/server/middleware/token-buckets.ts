/** A key's request: allowed, or refused with how long until a token is there. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Per-key token buckets of `ratePerMinute` requests, refilled continuously (a full bucket
 * after a minute idle). One request takes one token.
 */
export interface TokenBuckets {
  take(keyId: string, ratePerMinute: number): Promise<TakeResult>;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The embedded default: buckets in this process's memory. */
export class MemoryTokenBuckets implements TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(keyId: string, ratePerMinute: number): Promise<TakeResult> {
    return this.takeNow(keyId, ratePerMinute);
  }

  takeNow(keyId: string, capacity: number): TakeResult {
    const at = this.now();
    const perMs = capacity / 60_000;
    const bucket = this.#buckets.get(keyId) ?? { tokens: capacity, at };
    bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, at - bucket.at) * perMs);
    bucket.at = at;
    this.#buckets.set(keyId, bucket);
    if (bucket.tokens < 1) return { allowed: false, retryAfterSeconds: (1 - bucket.tokens) / perMs / 1000 };
    bucket.tokens -= 1;
    return { allowed: true };
  }

  async close(): Promise<void> {}
}
