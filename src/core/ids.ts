import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Time-ordered ids (48-bit millisecond time + 80 random bits, Crockford base32, lowercase),
 * prefixed by what they name: `job_…`, `art_…`, `upl_…` (a user's upload). Sorting by id sorts by creation time.
 */
export type IdPrefix = 'job' | 'art' | 'run' | 'upl';

export function newId(prefix: IdPrefix): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(10);
  let tail = '';
  for (let i = 0; i < 16; i++) {
    // 16 chars × 5 bits = 80 bits.
    const bit = i * 5;
    const byte = bit >> 3;
    const value = (((random[byte] ?? 0) << 8) | (random[byte + 1] ?? 0)) >> (11 - (bit & 7));
    tail += ALPHABET[value & 31];
  }
  return `${prefix}_${head}${tail}`;
}

/** Ids travel into file paths and URLs: accept only the shape newId makes. */
export function isValidId(value: string, prefix: IdPrefix): boolean {
  return new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`).test(value);
}
