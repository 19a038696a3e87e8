/**
 * Label values from user data, capped: each new series costs memory in this process and in
 * Prometheus, so past `max` distinct values the rest share the label value 'other'.
 */
export class BoundedLabels {
  readonly #seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.max) return 'other';
    this.#seen.add(value);
    return value;
  }
}
