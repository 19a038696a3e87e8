import { sleep } from '../../core/backoff.ts';
import { ShenbiError } from '../../core/errors.ts';
import type { Cloud3dContext } from './types.ts';

/** What polling needs of a provider call; the cloud talking-head adapters share it. */
export type PollContext = Pick<Cloud3dContext, 'spec' | 'signal' | 'pollMs' | 'timeoutMs'>;

/** Polls slow down to this many times the first interval: 3D jobs run minutes, not seconds. */
const MAX_BACKOFF_FACTOR = 4;

/**
 * Calls `check` until it returns a value: first after `pollMs`, then 1.5× longer each time up
 * to 4× `pollMs`. ENGINE_TIMEOUT once `timeoutMs` has passed.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, ctx: PollContext, what: string): Promise<T> {
  const started = Date.now();
  let interval = ctx.pollMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > ctx.timeoutMs) throw new ShenbiError('ENGINE_TIMEOUT', `${ctx.spec}: ${what} not ready after ${Math.round(ctx.timeoutMs / 1000)} s`);
    await sleep(interval, ctx.signal);
    interval = Math.min(ctx.pollMs * MAX_BACKOFF_FACTOR, Math.round(interval * 1.5));
  }
}

/** A provider-reported failure: PROVIDER_REJECTED with the provider's own words. */
export function generationFailed(ctx: Pick<Cloud3dContext, 'spec'>, id: string, status: string, reason?: unknown): ShenbiError {
  const words = typeof reason === 'string' && reason.trim() ? `: ${reason.trim().slice(0, 500)}` : '';
  return new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: generation ${id} ${status}${words}`, { details: { request: id, status } });
}
