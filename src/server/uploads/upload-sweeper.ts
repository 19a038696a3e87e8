import type { UploadStore } from './upload-store.ts';

/** How often expired uploads are looked for; expiry is also checked on every read. */
const SWEEP_INTERVAL_MS = 15 * 60_000;

/**
 * Sweeps expired uploads now (server start) and then periodically. The timer is unref'd so it
 * never keeps a process alive; a failed sweep is reported and retried next time.
 */
export function startUploadSweeper(store: UploadStore, intervalMs = SWEEP_INTERVAL_MS): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = running.then(() => store.sweep()).catch((error: unknown) => {
      process.emitWarning(`Sweeping expired uploads failed: ${(error as Error).message}`);
    });
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
