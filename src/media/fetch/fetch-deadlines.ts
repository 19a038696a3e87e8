import { ShenbiError } from '../../core/errors.ts';
import type { MediaFetchSettings } from './media-fetch-settings.ts';

/**
 * The clocks of one media fetch — connect, idle (no bytes) and total — and the one abort
 * signal that ends it, whichever fires first: a timeout, or the caller's signal (a cancelled
 * job). `failure` turns whatever the request threw into the reason it really stopped.
 */
export class FetchDeadlines {
  readonly #controller = new AbortController();
  readonly #settings: MediaFetchSettings;
  readonly #outer: AbortSignal | undefined;
  readonly #onOuterAbort = () => this.#controller.abort(this.#outer!.reason);
  #connectTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #totalTimer: NodeJS.Timeout;
  /** What is being fetched now, for messages: scheme, host and path (no query, no credentials). */
  target = '';

  constructor(settings: MediaFetchSettings, outer?: AbortSignal) {
    this.#settings = settings;
    this.#outer = outer;
    if (outer?.aborted) this.#controller.abort(outer.reason);
    else outer?.addEventListener('abort', this.#onOuterAbort, { once: true });
    this.#totalTimer = setTimeout(() => this.#timeout(`fetching ${this.target} took longer than ${seconds(settings.totalTimeoutMs)}`, 'totalTimeoutSeconds'), settings.totalTimeoutMs);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** A connection attempt (name resolution + TCP) begins. */
  connecting(host: string): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(() => this.#timeout(`could not connect to ${host} within ${seconds(this.#settings.connectTimeoutMs)}`, 'connectTimeoutSeconds'), this.#settings.connectTimeoutMs);
  }

  connected(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.touch();
  }

  /** Bytes arrived (or the connection opened): the idle clock starts again. */
  touch(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#timeout(`${this.target} sent nothing for ${seconds(this.#settings.idleTimeoutMs)}`, 'idleTimeoutSeconds'), this.#settings.idleTimeoutMs);
  }

  /** Stops every clock; call once the fetch has ended either way. */
  finish(): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#totalTimer);
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
  }

  /** Why the fetch stopped: the abort reason if it was aborted (a timeout, a cancelled job), else `error` itself. */
  failure(error: unknown): unknown {
    return this.#controller.signal.aborted ? this.#controller.signal.reason : error;
  }

  #timeout(message: string, setting: string): void {
    // Not retried: a slow or stalled server would hold the job for every attempt again.
    this.#controller.abort(new ShenbiError('ENGINE_TIMEOUT', `${message}.`, { retryable: false, hint: `Raise media.fetch.${setting} in config.json if the server is slow but working.`, details: { url: this.target } }));
  }
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
