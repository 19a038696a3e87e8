/**
 * Typed errors with stable string codes. The CLI prints `code: message` and maps the
 * code to an exit status; the HTTP API maps it to a status and puts the code in the body.
 * Codes are part of the public contract: add new ones, never rename.
 */

export interface ErrorCodeInfo {
  /** Process exit status used by the CLI. */
  readonly exit: number;
  /** HTTP status used by the server. */
  readonly http: number;
  /** Whether retrying the same operation may succeed (network blips, busy engines). */
  readonly retryable: boolean;
}

/** Exit statuses, grouped so scripts can branch on the class of failure. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  failed: 4,
  io: 5,
  refused: 6,
  /** `shenbi verify`: every label present and valid, only the C2PA signer is not trusted. */
  untrusted: 7,
  cancelled: 130,
} as const;

export const ERROR_CODES = {
  INVALID_INPUT: { exit: EXIT.usage, http: 400, retryable: false },
  CONTEXT_OVERFLOW: { exit: EXIT.usage, http: 400, retryable: false },
  UNKNOWN_TASK: { exit: EXIT.usage, http: 404, retryable: false },
  UNKNOWN_PIPELINE: { exit: EXIT.usage, http: 404, retryable: false },
  UNKNOWN_STEP: { exit: EXIT.usage, http: 400, retryable: false },
  PIPELINE_INVALID: { exit: EXIT.usage, http: 400, retryable: false },
  CONFIG_UNREADABLE: { exit: EXIT.usage, http: 500, retryable: false },
  CONFIG_INVALID: { exit: EXIT.usage, http: 500, retryable: false },
  /** Unreadable, truncated, zero-length or wrongly-formatted audio, video or image input. */
  MEDIA_INVALID: { exit: EXIT.usage, http: 422, retryable: false },
  UNSUPPORTED_LANGUAGE: { exit: EXIT.usage, http: 422, retryable: false },
  /** A 3D scene program that cannot be built: unknown shapes, non-finite or absurd sizes, too many parts, reference cycles, a model emptied by booleans, over the triangle budget. */
  SCENE_INVALID: { exit: EXIT.usage, http: 422, retryable: false },
  /** A portrait whose face cannot be animated: details.reason is face.none, face.too-small or face.profile. */
  FACE_NOT_USABLE: { exit: EXIT.usage, http: 422, retryable: false },
  UNKNOWN_VOICE: { exit: EXIT.usage, http: 422, retryable: false },

  MODEL_NOT_FOUND: { exit: EXIT.notFound, http: 404, retryable: false },
  MODEL_NOT_INSTALLED: { exit: EXIT.notFound, http: 424, retryable: false },
  MODEL_CHECKSUM_MISMATCH: { exit: EXIT.failed, http: 502, retryable: false },
  /** A model file that is present but unusable: corrupt, truncated, not ONNX/GGUF, or without the inputs and outputs its engine needs. */
  MODEL_INVALID: { exit: EXIT.failed, http: 500, retryable: false },
  MODEL_DOWNLOAD_FAILED: { exit: EXIT.failed, http: 502, retryable: true },
  JOB_NOT_FOUND: { exit: EXIT.notFound, http: 404, retryable: false },
  ARTIFACT_NOT_FOUND: { exit: EXIT.notFound, http: 404, retryable: false },
  /** No upload with that id for this caller (never uploaded, another tenant's, deleted or expired). */
  UPLOAD_NOT_FOUND: { exit: EXIT.notFound, http: 404, retryable: false },
  BLOB_NOT_FOUND: { exit: EXIT.notFound, http: 404, retryable: false },
  /** No C2PA signing certificate and key under $SHENBI_HOME/keys (`shenbi keys init` makes them). */
  SIGNING_KEYS_MISSING: { exit: EXIT.notFound, http: 424, retryable: false },

  ENGINE_UNAVAILABLE: { exit: EXIT.failed, http: 501, retryable: false },
  ENGINE_FAILED: { exit: EXIT.failed, http: 500, retryable: false },
  ENGINE_BUSY: { exit: EXIT.failed, http: 503, retryable: true },
  ENGINE_TIMEOUT: { exit: EXIT.failed, http: 504, retryable: true },
  PROVIDER_KEY_MISSING: { exit: EXIT.usage, http: 401, retryable: false },
  PROVIDER_UNAVAILABLE: { exit: EXIT.failed, http: 503, retryable: true },
  PROVIDER_REJECTED: { exit: EXIT.failed, http: 502, retryable: false },
  JOB_FAILED: { exit: EXIT.failed, http: 500, retryable: false },
  JOB_INTERRUPTED: { exit: EXIT.failed, http: 500, retryable: false },
  JOB_CANCELLED: { exit: EXIT.cancelled, http: 409, retryable: false },
  JOB_NOT_CANCELLABLE: { exit: EXIT.usage, http: 409, retryable: false },
  /** The job is queued or running: its artifacts cannot be deleted until it ends (cancel it first). */
  JOB_RUNNING: { exit: EXIT.usage, http: 409, retryable: false },

  GOVERNANCE_REFUSED: { exit: EXIT.refused, http: 451, retryable: false },
  /** A file path outside the folders Shenbi may read media from (config mediaRoots). */
  PATH_NOT_ALLOWED: { exit: EXIT.refused, http: 403, retryable: false },

  DISK_FULL: { exit: EXIT.io, http: 507, retryable: false },
  STORAGE_ERROR: { exit: EXIT.io, http: 500, retryable: false },
  BLOB_CORRUPT: { exit: EXIT.io, http: 500, retryable: false },
  /** The blob store's S3 bucket cannot be reached (at start or while running); the message names endpoint and bucket. */
  BLOB_STORE_UNAVAILABLE: { exit: EXIT.io, http: 503, retryable: true },
  DATABASE_ERROR: { exit: EXIT.io, http: 500, retryable: true },
  /** The shared job queue (Redis, config `queue`) cannot be reached: at start, or for an enqueue while it is down. */
  QUEUE_UNAVAILABLE: { exit: EXIT.io, http: 503, retryable: true },
  /** GET /readyz: a dependency (database, Redis, S3) does not answer; details.checks names which. */
  NOT_READY: { exit: EXIT.io, http: 503, retryable: true },
  /** The provenance ledger's hash chain does not verify: an entry was edited or removed (`shenbi ledger verify`). */
  LEDGER_BROKEN: { exit: EXIT.io, http: 500, retryable: false },
  INTERNAL: { exit: EXIT.internal, http: 500, retryable: false },

  /** HTTP: no API key, or a key that is unknown or revoked. */
  UNAUTHORIZED: { exit: EXIT.refused, http: 401, retryable: false },
  /** HTTP: the API key lacks the scope the route needs. */
  FORBIDDEN: { exit: EXIT.refused, http: 403, retryable: false },
  /** HTTP: a cross-site Origin or an unknown Host header reached a loopback server (CSRF, DNS rebinding). */
  ORIGIN_REFUSED: { exit: EXIT.refused, http: 403, retryable: false },
  /** HTTP: the key's request rate is over its limit; Retry-After says when to try again. */
  RATE_LIMITED: { exit: EXIT.failed, http: 429, retryable: true },
  /** HTTP: the key's quota (requests, tokens, media seconds) for the current window is used up. */
  QUOTA_EXCEEDED: { exit: EXIT.refused, http: 429, retryable: false },
  /** HTTP: no such route (or method) in the API. */
  ROUTE_NOT_FOUND: { exit: EXIT.notFound, http: 404, retryable: false },
  /** HTTP: the request body is larger than the server accepts; also a media URL's body over its kind's limit (media.fetch.maxMb). */
  PAYLOAD_TOO_LARGE: { exit: EXIT.usage, http: 413, retryable: false },
  /** HTTP: the request body has a Content-Type the route does not accept. */
  UNSUPPORTED_MEDIA_TYPE: { exit: EXIT.usage, http: 415, retryable: false },
  /** HTTP: a Range header that is malformed or lies beyond the content; Content-Range says the size. */
  RANGE_NOT_SATISFIABLE: { exit: EXIT.usage, http: 416, retryable: false },
  /** HTTP: the client sent its request body too slowly (idle, too long, or an upload below the minimum rate). */
  REQUEST_TIMEOUT: { exit: EXIT.failed, http: 408, retryable: true },
  /** HTTP: this client address (or the server) holds as many connections as allowed; close one and retry. */
  TOO_MANY_CONNECTIONS: { exit: EXIT.failed, http: 503, retryable: true },
  /** `shenbi serve`: a non-loopback host was asked for while no API key exists. */
  BIND_REFUSED: { exit: EXIT.refused, http: 500, retryable: false },
  /** `shenbi serve`: another program already listens on the port (`--port N` picks another; 0 any free one). */
  PORT_IN_USE: { exit: EXIT.io, http: 500, retryable: false },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ShenbiErrorOptions {
  /** Structured detail for scripts (zod issue paths, expected vs. actual hashes, ...). */
  details?: Record<string, unknown>;
  /** What the user can do about it, e.g. the exact command that fetches a model. */
  hint?: string;
  cause?: unknown;
  /** Overrides the code's default retryability for this instance. */
  retryable?: boolean;
}

export class ShenbiError extends Error {
  override readonly name = 'ShenbiError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ShenbiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.hint = options.hint;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** The shape stored with failed jobs and returned by the API. */
  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export function isShenbiError(value: unknown): value is ShenbiError {
  return value instanceof ShenbiError;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Node system error codes that mean "the disk cannot take more". */
const DISK_FULL_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * Normalizes anything thrown into a ShenbiError, so every failure that reaches a user
 * carries a stable code. Errors that are already typed pass through unchanged.
 */
export function toShenbiError(error: unknown, fallback: ErrorCode = 'INTERNAL'): ShenbiError {
  if (isShenbiError(error)) return error;
  if (error instanceof Error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno !== undefined && DISK_FULL_ERRNOS.has(errno)) {
      return new ShenbiError('DISK_FULL', `The disk is full: ${error.message}`, {
        cause: error,
        hint: 'Free some space (or point SHENBI_HOME at a larger disk) and run the command again.',
      });
    }
    if (error.name === 'AbortError') {
      return new ShenbiError('JOB_CANCELLED', 'The operation was cancelled.', { cause: error });
    }
    return new ShenbiError(fallback, error.message, { cause: error });
  }
  return new ShenbiError(fallback, String(error));
}

/** Rebuilds an error from its stored JSON (job failures read back from the store). */
export function fromSerializedError(value: SerializedError): ShenbiError {
  const code = isErrorCode(value.code) ? value.code : 'INTERNAL';
  return new ShenbiError(code, value.message, {
    ...(value.details === undefined ? {} : { details: value.details }),
    ...(value.hint === undefined ? {} : { hint: value.hint }),
  });
}
