/** What a sandbox run takes and gives back. */
import { z } from 'zod';
import { sandboxMemoryBytes, sandboxStackBytes, sandboxTimeoutMs } from './sandbox-limits.ts';

export type SandboxErrorCode = 'SANDBOX_TIMEOUT' | 'SANDBOX_MEMORY' | 'SANDBOX_ERROR';

export const SandboxRequest = z.object({
  code: z.string(),
  /** Name of a global function defined by `code`, called with `args`. */
  entry: z.string(),
  /** The argument list, as JSON-compatible values. */
  args: z.array(z.unknown()).readonly().optional(),
  timeoutMs: sandboxTimeoutMs.optional(),
  /** Heap the guest may use; the host maps at most this plus a 16 MiB base per thread. */
  memoryBytes: sandboxMemoryBytes.optional(),
  maxStackBytes: sandboxStackBytes.optional(),
});
export type SandboxRequest = z.input<typeof SandboxRequest>;

export type SandboxResult =
  | { readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly error: { readonly code: SandboxErrorCode; readonly message: string }; readonly durationMs: number };
