/** What a pull reports, shaped for a progress bar. */
export interface PullProgress {
  /** Bytes of the file on disk so far, including bytes resumed from an earlier pull. */
  receivedBytes: number;
  /** Full size when known (catalog size, Content-Length or Content-Range), else null. */
  totalBytes: number | null;
  /** Bytes this pull resumed from (0 for a fresh download). */
  resumedFromBytes: number;
  /** Recent transfer rate over a few seconds. */
  bytesPerSecond: number;
  /** Estimated time left, null until a rate and a total are known. */
  etaMs: number | null;
}

export type ProgressListener = (progress: PullProgress) => void;

const RATE_WINDOW_MS = 3000;

/**
 * Turns byte counts into throttled progress events: at most one per `intervalMs`, plus the
 * final one, so a fast local transfer cannot flood a terminal.
 */
export class ProgressMeter {
  #received = 0;
  #total: number | null = null;
  #resumedFrom = 0;
  #lastEmit = 0;
  #samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly listener: ProgressListener | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts (or restarts, after the server ignored a Range) counting from `receivedBytes`. */
  start(receivedBytes: number, totalBytes: number | null): void {
    this.#received = receivedBytes;
    this.#resumedFrom = receivedBytes;
    this.#total = totalBytes;
    this.#samples = [{ at: this.now(), bytes: receivedBytes }];
    this.#emit(true);
  }

  setTotal(totalBytes: number | null): void {
    if (totalBytes !== null) this.#total = totalBytes;
  }

  update(receivedBytes: number): void {
    this.#received = receivedBytes;
    this.#emit(false);
  }

  finish(): void {
    this.#emit(true);
  }

  #emit(force: boolean): void {
    if (this.listener === undefined) return;
    const at = this.now();
    if (!force && at - this.#lastEmit < this.intervalMs) return;
    this.#lastEmit = at;
    this.#samples.push({ at, bytes: this.#received });
    while (this.#samples.length > 2 && at - (this.#samples[0]?.at ?? at) > RATE_WINDOW_MS) this.#samples.shift();
    const oldest = this.#samples[0] ?? { at, bytes: this.#received };
    const elapsed = at - oldest.at;
    const bytesPerSecond = elapsed > 0 ? Math.max(0, ((this.#received - oldest.bytes) * 1000) / elapsed) : 0;
    const left = this.#total === null ? null : Math.max(0, this.#total - this.#received);
    const etaMs = left === null ? null : left === 0 ? 0 : bytesPerSecond > 0 ? Math.round((left / bytesPerSecond) * 1000) : null;
    this.listener({
      receivedBytes: this.#received,
      totalBytes: this.#total,
      resumedFromBytes: this.#resumedFrom,
      bytesPerSecond: Math.round(bytesPerSecond),
      etaMs,
    });
  }
}
