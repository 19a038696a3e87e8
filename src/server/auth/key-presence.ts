import type { ApiKeyRepository } from './api-key-repository.ts';

/**
 * Whether any active API key exists, kept fresh off the request path. A loopback server with
 * no keys serves everyone as the local user; once a key exists (made by `shenbi apikeys
 * create` in another process) it must ask for one within MAX_AGE_MS. Asking the store on the
 * request after every such interval put a query (~0.4 ms) before the first token of most chat
 * turns, which come seconds apart; a refresh twice per interval keeps the answer at most that
 * old without any request waiting for it. A request waits only if the refreshes fell behind.
 */
const MAX_AGE_MS = 1000;

export class KeyPresence {
  readonly #keys: ApiKeyRepository;
  #value: boolean | undefined;
  /** When the query that gave #value started. */
  #at = 0;
  #pending: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(keys: ApiKeyRepository) {
    this.#keys = keys;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#refresh().catch(() => undefined), MAX_AGE_MS / 2).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pending?.catch(() => undefined);
  }

  /** Whether any active key exists, as known at most MAX_AGE_MS ago. */
  anyKeys(): Promise<boolean> {
    if (this.#value !== undefined && Date.now() - this.#at < MAX_AGE_MS) return Promise.resolve(this.#value);
    return this.#refresh();
  }

  #refresh(): Promise<boolean> {
    if (this.#pending !== undefined) return this.#pending;
    const startedAt = Date.now();
    const pending = this.#keys.anyActive().then((value) => {
      this.#value = value;
      this.#at = startedAt;
      return value;
    });
    this.#pending = pending;
    void pending.finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    }).catch(() => undefined);
    return pending;
  }
}
