import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ShenbiError, toShenbiError } from '../core/errors.ts';
import type { Principal } from './context.ts';
import { redactDeep } from './redact-paths.ts';

/** OpenAI's error envelope, plus Shenbi's hint and details where there are any. */
export interface ApiErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    /** The stable Shenbi error code (e.g. `INVALID_INPUT`). */
    code: string;
    hint?: string;
    details?: Record<string, unknown>;
  };
}

/** OpenAI's `type` for a status, so OpenAI clients raise the error class they expect. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * Whether a caller reads the server's file paths in errors: only the keyless local user.
 * Keyed callers (and requests not yet authenticated) get them redacted.
 */
export function readsServerPaths(principal: Principal | undefined): boolean {
  return principal !== undefined && principal.key === null;
}

/** The error body a caller reads: server paths redacted unless it is the local user. */
export function errorBodyFor(principal: Principal | undefined, error: ShenbiError): ApiErrorBody {
  const body = errorBody(error);
  return readsServerPaths(principal) ? body : redactDeep(body);
}

export function errorBody(error: ShenbiError): ApiErrorBody {
  const issues = error.details?.issues;
  // The first bad path becomes OpenAI's `param`.
  const param = Array.isArray(issues) && typeof (issues[0] as { path?: unknown } | undefined)?.path === 'string' ? (issues[0] as { path: string }).path : null;
  return {
    error: {
      message: error.message,
      type: errorType(error.httpStatus),
      param,
      code: error.code,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}

/** The response for anything thrown in a handler: typed code, HTTP status, OpenAI shape. */
export function errorResponse(c: Context, thrown: unknown): Response {
  const error = isStackOverflow(thrown)
    ? new ShenbiError('INVALID_INPUT', 'The request is nested too deeply to process.', { cause: thrown })
    : toShenbiError(thrown);
  // A client cut off (slow body) or gone fails its body read: that is not a server fault.
  if (error.code === 'INTERNAL' && !c.req.raw.signal.aborted) process.emitWarning(`shenbi server: ${error.stack ?? error.message}`);
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === 'number') c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
  return c.json(errorBodyFor(c.get('principal') as Principal | undefined, error), error.httpStatus as ContentfulStatusCode);
}

/** Deep input that got past the JSON depth limit (or any other recursion) must not be a 500. */
function isStackOverflow(thrown: unknown): boolean {
  return thrown instanceof RangeError && /Maximum call stack size exceeded/.test(thrown.message);
}
