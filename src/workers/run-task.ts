/**
 * The worker side of the pool: imports the task's module (cached by the module loader),
 * calls the named export, and answers with its value, whose typed-array buffers are moved
 * rather than copied. A task's exception is an answer too; only a crash of the thread itself
 * makes the pool reject.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { isShenbiError } from '../core/errors.ts';
import type { OffThreadFailure, OffThreadOutcome, OffThreadRequest } from './protocol.ts';
import { transferablesOf } from './transferables.ts';

export async function runTask(request: OffThreadRequest): Promise<unknown> {
  let outcome: OffThreadOutcome;
  try {
    if (!request.module.startsWith('file:')) throw new TypeError(`off-thread tasks live in local modules, not ${request.module}`);
    const exports = (await import(request.module)) as Record<string, unknown>;
    const task = exports[request.name];
    if (typeof task !== 'function') throw new TypeError(`${request.module} exports no function ${request.name}`);
    outcome = { ok: true, value: await (task as (...args: unknown[]) => unknown)(...request.args) };
  } catch (error) {
    outcome = { ok: false, failure: describeFailure(error) };
  }
  const buffers = outcome.ok ? transferablesOf(outcome.value) : [];
  if (buffers.length === 0) return outcome;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: outcome } as unknown as ArrayBuffer);
}

function describeFailure(error: unknown): OffThreadFailure {
  if (isShenbiError(error)) return { kind: 'shenbi', error: error.toJSON(), retryable: error.retryable };
  if (error instanceof Error) return { kind: 'error', name: error.name, message: error.message };
  return { kind: 'error', name: 'Error', message: String(error) };
}
