/**
 * Plays audio pieces one after another as they arrive (an NPC reply, sentence by sentence),
 * so the first sentence sounds while the later ones are still being written and voiced.
 */
export class SentencePlayer {
  readonly #queue: string[] = [];
  readonly #audio: HTMLAudioElement;
  #playing = false;
  #counted = false;
  /** Pieces that have actually started to sound (autoplay may be refused). */
  started = 0;

  constructor(private readonly onStart?: (count: number) => void) {
    this.#audio = new Audio();
    this.#audio.preload = 'auto';
    // 'playing' fires again after a stall; count each piece once.
    this.#audio.addEventListener('playing', () => {
      if (this.#counted) return;
      this.#counted = true;
      this.onStart?.(++this.started);
    });
    this.#audio.addEventListener('ended', () => this.#next());
    // A piece that cannot play must not stall the rest.
    this.#audio.addEventListener('error', () => this.#next());
  }

  enqueue(url: string): void {
    this.#queue.push(url);
    if (!this.#playing) this.#next();
  }

  #next(): void {
    const url = this.#queue.shift();
    this.#playing = url !== undefined;
    if (url === undefined) return;
    this.#counted = false;
    this.#audio.src = url;
    // Autoplay may be refused before the user has interacted; the whole reply stays playable below.
    void this.#audio.play().catch(() => this.#next());
  }

  stop(): void {
    this.#queue.length = 0;
    this.#playing = false;
    this.#audio.pause();
    this.#audio.removeAttribute('src');
  }
}
