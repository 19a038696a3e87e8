import { ShenbiError } from '../../core/errors.ts';

const BLOB_REF = /^sha256:([0-9a-f]{64})$/;

/**
 * The hex digest inside a `sha256:<64 lowercase hex>` reference. Refs become file paths,
 * so anything else (`../`, uppercase, other algorithms, stray whitespace) is refused here
 * before it can reach the filesystem.
 */
export function blobRefDigest(ref: string): string {
  const match = typeof ref === 'string' ? BLOB_REF.exec(ref) : null;
  if (match === null || match[1] === undefined) {
    throw new ShenbiError('INVALID_INPUT', `Invalid blob reference ${JSON.stringify(ref)}: expected "sha256:" and 64 lowercase hex digits.`, {
      details: { ref },
    });
  }
  return match[1];
}

export function isBlobRef(ref: string): boolean {
  return BLOB_REF.test(ref);
}
