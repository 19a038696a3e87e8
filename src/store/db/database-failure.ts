import { isShenbiError, ShenbiError } from '../../core/errors.ts';

/**
 * Wraps a failing driver call (constraint violation, lost connection, locked file) into
 * DATABASE_ERROR naming what was being done; typed errors pass through unchanged.
 */
export function databaseFailure(action: string, error: unknown): ShenbiError {
  if (isShenbiError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  // SQLite's SQLITE_FULL and PostgreSQL's disk_full (53100): the disk, not the database, is the problem.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === '53100') {
    return new ShenbiError('DISK_FULL', `The disk is full while ${action}: ${reason}`, {
      cause: error,
      hint: 'Free some space (or point SHENBI_HOME at a larger disk) and run the command again.',
    });
  }
  return new ShenbiError('DATABASE_ERROR', `Database error while ${action}: ${reason}`, { cause: error });
}
