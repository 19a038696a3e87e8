export { runInSandbox, type SandboxRequest, type SandboxResult, type SandboxErrorCode } from './run-in-sandbox.ts';
