/**
 * Keeps taking up the jobs of dead processes: one pass at once, then every `everyMs`, and
 * also when a lease seen held elsewhere is due to go stale, so a restarted server resumes a
 * dead process's jobs as soon as it may and never sooner (a live runner keeps its leases
 * fresh; claims in the store decide between servers sharing one database). Timers are
 * unref'd and passes never overlap.
 */
export class RecoveryLoop {
  readonly #pass: () => Promise<number | null>;
  readonly #everyMs: number;
  readonly #interval: NodeJS.Timeout;
  #dueTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  /** `pass` recovers and returns when the next lease held elsewhere goes stale (epoch ms), or null. */
  constructor(pass: () => Promise<number | null>, everyMs: number) {
    this.#pass = pass;
    this.#everyMs = everyMs;
    this.#interval = setInterval(() => void this.#run(), everyMs);
    this.#interval.unref();
    void this.#run();
  }

  /** Stops the timers; resolves once a pass under way has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#interval);
    clearTimeout(this.#dueTimer);
    await this.#running;
  }

  #run(): Promise<void> {
    if (this.#stopped || this.#running !== undefined) return this.#running ?? Promise.resolve();
    this.#running = (async () => {
      try {
        this.#schedule(await this.#pass());
      } catch (error) {
        process.emitWarning(`recovering jobs of dead processes failed (tried again in ${this.#everyMs} ms): ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  #schedule(dueAt: number | null): void {
    if (dueAt === null || this.#stopped) return;
    const delay = Math.max(0, dueAt - Date.now());
    // The interval comes sooner anyway.
    if (delay >= this.#everyMs) return;
    clearTimeout(this.#dueTimer);
    this.#dueTimer = setTimeout(() => void this.#run(), delay);
    this.#dueTimer.unref();
  }
}
