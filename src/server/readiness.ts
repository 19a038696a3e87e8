import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/db/schema.ts';

/** One dependency's answer. */
export interface DependencyStatus {
  name: string;
  ok: boolean;
  /** Why not (an error message without credentials), or null when ok. */
  detail: string | null;
}

/** A cheap check of one dependency; throwing (or not answering in time) means not ready. */
export interface ReadinessCheck {
  name: string;
  check(signal: AbortSignal): Promise<void>;
}

/**
 * Checks of dependencies the server does not own (the shared queue's Redis, the S3 bucket):
 * Shenbi answers them (`shenbi.readiness()`), each already bounded in time.
 */
export type DependencyProbe = () => Promise<DependencyStatus[]>;

/** Each check gets this long; /readyz never hangs on a dependency that does not answer. */
export const READINESS_TIMEOUT_MS = 2000;

/** The metadata database answers a trivial query. */
export function databaseCheck(db: Kysely<Database>): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      await sql`select 1`.execute(db);
    },
  };
}

async function bounded<T>(what: string, work: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`${what} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function message(error: unknown): string {
  // Connection errors may quote a URL: drop any user:password part.
  return (error instanceof Error ? error.message : String(error)).replace(/\/\/[^/@\s]*@/g, '//***@');
}

/** Runs every check at once; ready when all pass. */
export async function checkReadiness(checks: readonly ReadinessCheck[], probes: readonly DependencyProbe[], timeoutMs = READINESS_TIMEOUT_MS): Promise<{ ready: boolean; checks: DependencyStatus[] }> {
  const results = await Promise.all([
    ...checks.map(async (check): Promise<DependencyStatus[]> => {
      try {
        await bounded(check.name, (signal) => check.check(signal), timeoutMs);
        return [{ name: check.name, ok: true, detail: null }];
      } catch (error) {
        return [{ name: check.name, ok: false, detail: message(error) }];
      }
    }),
    ...probes.map(async (probe): Promise<DependencyStatus[]> => {
      try {
        return await bounded('dependency checks', () => probe(), timeoutMs);
      } catch (error) {
        return [{ name: 'dependencies', ok: false, detail: message(error) }];
      }
    }),
  ]);
  const flat = results.flat();
  return { ready: flat.every((status) => status.ok), checks: flat };
}
