import { z } from 'zod';
import { ERROR_CODES, isErrorCode, type ErrorCode, type SerializedError } from '../core/errors.ts';
import { readNullableJsonColumn } from './db/json-column.ts';

/** The three columns a stored failure occupies (jobs and job_steps alike). */
export interface ErrorColumns {
  error_code: string | null;
  error_message: string | null;
  error_detail: string | null;
}

const errorDetailSchema = z.object({
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export function errorToColumns(error: SerializedError | null): ErrorColumns {
  if (error === null) return { error_code: null, error_message: null, error_detail: null };
  const detail = {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.details === undefined ? {} : { details: error.details }),
  };
  return {
    error_code: error.code,
    error_message: error.message,
    error_detail: Object.keys(detail).length === 0 ? null : JSON.stringify(detail),
  };
}

export function errorFromColumns(row: ErrorColumns, what: string): SerializedError | null {
  if (row.error_code === null) return null;
  const detail = readNullableJsonColumn(errorDetailSchema, row.error_detail, `error detail of ${what}`);
  return {
    // A code from a newer version that this one does not know still reads as a failure.
    code: isErrorCode(row.error_code) ? row.error_code : 'INTERNAL',
    message: row.error_message ?? '',
    ...(detail?.hint === undefined ? {} : { hint: detail.hint }),
    ...(detail?.details === undefined ? {} : { details: detail.details }),
  };
}

export const serializedErrorSchema = z.object({
  code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
