import { hostname } from 'node:os';
import { ShenbiError } from './errors.ts';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** Default: SHENBI_LOG_LEVEL, else 'info' (but 'silent' under `node --test`, see defaultLogLevel). */
  level?: LevelWithSilent;
  /** Where JSON lines go; default stderr (stdout stays for command output). */
  destination?: DestinationStream;
  /** Fields on every line, e.g. `{ service: 'worker' }`. */
  base?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/**
 * SHENBI_LOG_LEVEL when set (an unknown value is an error, not a silent default). Otherwise
 * 'info', except inside the Node test runner (NODE_TEST_CONTEXT, inherited by the processes a
 * test spawns): there routine lines would flood the suite's output, so tests that check logs
 * set SHENBI_LOG_LEVEL or pass `level`.
 */
export function defaultLogLevel(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const configured = env.SHENBI_LOG_LEVEL?.trim().toLowerCase();
  if (configured !== undefined && configured !== '') {
    if (!(LEVELS as readonly string[]).includes(configured)) throw new ShenbiError('CONFIG_INVALID', `SHENBI_LOG_LEVEL must be one of ${LEVELS.join(', ')}; got "${env.SHENBI_LOG_LEVEL}".`);
    return configured as LevelWithSilent;
  }
  return env.NODE_TEST_CONTEXT === undefined ? 'info' : 'silent';
}

/** A JSON-lines logger (pino): `{"level":30,"time":…,"pid":…,"hostname":…,"msg":…,…}`, nothing pretty. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? defaultLogLevel(options.env);
  return pino(
    {
      level,
      ...(options.base === undefined ? {} : { base: { pid: process.pid, hostname: hostname(), ...options.base } }),
      // Defence in depth: these never belong in a log line even if a caller passes them.
      redact: { paths: ['apiKey', 'authorization', 'headers.authorization', 'headers["x-api-key"]', 'body'], remove: true },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
