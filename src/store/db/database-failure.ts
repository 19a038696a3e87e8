import { isShenbiError, ShenbiError } from '../../core/errors.ts';

/**
 * Wraps a failing driver call (constraint violation, lost connection, locked file) into
 * DATABASE_ERROR naming what was being done; typed errors pass through unchanged.
 */
export function databaseFailure(action: string, error: unknown): ShenbiError {
  if (isShenbiError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ShenbiError('DATABASE_ERROR', `Database error while ${action}: ${reason}`, { cause: error });
}
