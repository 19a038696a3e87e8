import { createRandom } from '../../seeded-random.ts';

/** Draws for an object's small seeded variations. */
export interface Variation {
  /** `value` changed by at most ±`fraction` of itself. */
  vary(value: number, fraction: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function variation(seed: number): Variation {
  const random = createRandom(seed);
  return {
    vary: (value, fraction) => value * (1 + (random.next() * 2 - 1) * fraction),
    chance: (p) => random.next() < p,
    pick: (items) => random.pick(items),
  };
}

/** A count the prompt asked for, kept within what the object can sensibly show; the default when none. */
export function countOr(count: number | undefined, fallback: number, min: number, max: number): number {
  if (count === undefined || !Number.isFinite(count)) return fallback;
  return Math.min(max, Math.max(min, Math.round(count)));
}

/** The largest and smallest relative size a prompt may ask for (1 is real-world size). */
export const SCALE_RANGE = { min: 0.2, max: 5 } as const;

export function scaleOf(scale: number | undefined): number {
  if (scale === undefined || !Number.isFinite(scale) || scale <= 0) return 1;
  return Math.min(SCALE_RANGE.max, Math.max(SCALE_RANGE.min, scale));
}

function channels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function toHex([r, g, b]: [number, number, number]): string {
  const byte = (c: number) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0');
  return `#${byte(r)}${byte(g)}${byte(b)}`;
}

/** `from` moved toward `to` by `amount` (0..1); both #rrggbb. */
export function mixColour(from: string, to: string, amount: number): string {
  const a = channels(from);
  const b = channels(to);
  return toHex([a[0] + (b[0] - a[0]) * amount, a[1] + (b[1] - a[1]) * amount, a[2] + (b[2] - a[2]) * amount]);
}

export const lighter = (hex: string, amount: number): string => mixColour(hex, '#ffffff', amount);

/** The prompt's colour when it is a #rrggbb, else the object's own. */
export function colourOr(colour: string | undefined, fallback: string): string {
  return colour !== undefined && /^#[0-9a-fA-F]{6}$/.test(colour) ? colour : fallback;
}
