export { runInSandbox, sandboxPool, type RunInSandboxOptions } from './run-in-sandbox.ts';
export { SandboxPool, type SandboxPoolOptions } from './sandbox-pool.ts';
export { SandboxRequest, type SandboxResult, type SandboxErrorCode } from './sandbox-request.ts';
export { SANDBOX_LIMITS, sandboxBudgetProblem, sandboxMemoryBytes, sandboxTimeoutMs } from './sandbox-limits.ts';
