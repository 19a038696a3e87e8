import { sleep } from '../../core/backoff.ts';
import { ShenbiError } from '../../core/errors.ts';
import type { AdapterContext } from './types.ts';

/** Polls `check` every `pollMs` until it returns a value; ENGINE_TIMEOUT after `timeoutMs`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, ctx: AdapterContext, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > ctx.timeoutMs) throw new ShenbiError('ENGINE_TIMEOUT', `${ctx.spec}: ${what} not ready after ${Math.round(ctx.timeoutMs / 1000)} s`);
    await sleep(ctx.pollMs, ctx.signal);
  }
}
