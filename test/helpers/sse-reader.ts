/** One Server-Sent Event as received. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Reads an SSE response as it arrives, so a test can wait for an event in the middle of a
 * stream; every wait has a deadline, so a stream that hangs fails the test instead of
 * stalling it.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  readonly #controller = new AbortController();
  #changed: (() => void) | undefined;
  #done = false;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ended = this.#read(url, headers);
    // Errors surface through waitFor/untilEnd.
    this.ended.catch(() => {});
  }

  /** Waits until an event satisfies `predicate` (looking at those received already too). */
  async waitFor(predicate: (event: SseEvent) => boolean, ms: number, what: string): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (this.#done) throw new Error(`${what}: the stream ended without it (got ${this.names().join(', ')})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: not within ${ms} ms (got ${this.names().join(', ')})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#changed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Waits for the stream to end; returns every event. */
  async untilEnd(ms: number, what: string): Promise<SseEvent[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: the stream did not end within ${ms} ms (got ${this.names().join(', ')})`)), ms);
    });
    try {
      await Promise.race([this.ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.events;
  }

  names(): string[] {
    return this.events.map((e) => e.event);
  }

  close(): void {
    this.#controller.abort();
  }

  async #read(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const response = await fetch(url, { headers, signal: this.#controller.signal });
      if (!response.ok || response.body === null) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
          if (lines.length === 0) continue;
          const field = (name: string) => lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).replace(/^ /, ''));
          this.events.push({ event: field('event')[0] ?? 'message', data: field('data').join('\n'), id: field('id')[0] });
          this.#changed?.();
        }
      }
    } finally {
      this.#done = true;
      this.#changed?.();
    }
  }
}
