import { createHash } from 'node:crypto';

/** `pid_` and 32 hex digits: printable ASCII as GB 45438 Annex E asks, short enough for every carrier. */
export const PRODUCE_ID_PATTERN = /^pid_[0-9a-f]{32}$/;

/**
 * The AIGC label's ProduceID: derived from what was produced (the content as it stands before
 * the implicit label goes in, its type and its producer), not from the artifact that stores
 * it. The same seed and input therefore give the same file, byte for byte, in every run and
 * every home with the same producer; an artifact id would make each copy differ. The store
 * finds the artifacts that carry an id (`shenbi artifacts show pid_…`).
 */
export function produceIdFor(content: Uint8Array, mimeType: string, producer: string): string {
  const hash = createHash('sha256');
  hash.update(`shenbi-produce-id\0${producer}\0${mimeType.split(';')[0]!.trim().toLowerCase()}\0`);
  hash.update(content);
  return `pid_${hash.digest('hex').slice(0, 32)}`;
}
