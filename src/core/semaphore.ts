/** Releases a permit; calling it more than once is harmless. */
export type Release = () => void;

/**
 * A counting semaphore with FIFO waiters. `tryAcquire` lets the hot path take a free
 * permit without allocating a promise.
 */
export class Semaphore {
  #free: number;
  readonly #waiters: Array<(release: Release) => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    this.#free = limit;
  }

  get available(): number {
    return this.#free;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  tryAcquire(): Release | undefined {
    if (this.#free === 0) return undefined;
    this.#free -= 1;
    return this.#releaser();
  }

  /** Resolves with a release once a permit is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    const now = this.tryAcquire();
    if (now !== undefined) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const grant = (release: Release) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(grant);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      this.#waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // Hand the permit straight to the next waiter, so it cannot be stolen in between.
      if (next !== undefined) next(this.#releaser());
      else this.#free += 1;
    };
  }
}
