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

/** What a download reports its bytes to (a ProgressMeter, or a share of one for multi-file pulls). */
export interface ByteMeter {
  start(receivedBytes: number, totalBytes: number | null): void;
  setTotal(totalBytes: number | null): void;
  update(receivedBytes: number): void;
  finish(): void;
}

/**
 * One file's share of a multi-file pull's single progress bar: its bytes are counted after
 * the `base` bytes of the files before it, against the known total of all files.
 */
export class FileShareMeter implements ByteMeter {
  constructor(
    private readonly overall: ProgressMeter,
    private readonly base: number,
    private readonly grandTotal: number,
    private readonly first: boolean,
  ) {}

  start(receivedBytes: number): void {
    // Only the first file (re)starts the overall count; later ones continue it.
    if (this.first) this.overall.start(this.base + receivedBytes, this.grandTotal);
    else this.overall.update(this.base + receivedBytes);
  }

  setTotal(): void {}

  update(receivedBytes: number): void {
    this.overall.update(this.base + receivedBytes);
  }

  /** The caller finishes the overall meter after the last file. */
  finish(): void {}
}

/**
 * Turns byte counts into throttled progress events: at most one per `intervalMs`, plus the
 * final one, so a fast local transfer cannot flood a terminal.
 */
export class ProgressMeter implements ByteMeter {
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
