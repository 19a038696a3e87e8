import { ShenbiError } from '../../core/errors.ts';
import { boundedFetch } from '../providers/bounded-fetch.ts';
import type { TalkingHeadContext } from './types.ts';

/** A cancel request is a courtesy: small answer, quick, never retried. */
const cancelFetch = boundedFetch({ headersMs: 10_000, idleMs: 10_000, maxBytes: 64 * 1024 });

/** Whether a failure means we stopped waiting for a job that may still run (cancelled, or our deadline passed). */
export function stoppedWaiting(error: unknown, ctx: TalkingHeadContext): boolean {
  return ctx.signal?.aborted === true || (error instanceof ShenbiError && error.code === 'ENGINE_TIMEOUT');
}

/**
 * Asks the provider to stop a job nobody waits for any more, so it is not rendered (and
 * billed) for nothing. Best effort: its own short deadline, failures ignored.
 */
export async function cancelAtProvider(url: string, method: 'PUT' | 'POST' | 'DELETE', headers: Record<string, string>): Promise<void> {
  try {
    const response = await cancelFetch(url, { method, headers, signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
  } catch {
    // The job ends at the provider's own timeout then.
  }
}

/**
 * Progress while polling: queued jobs stay at the start; a running job creeps toward 0.85
 * (providers report no fraction), leaving the rest for the download and checks.
 */
export function reportPoll(ctx: TalkingHeadContext, polls: number, running: boolean, message: string): void {
  ctx.progress(running ? 0.15 + 0.7 * (1 - 0.85 ** polls) : 0.1, message);
}
