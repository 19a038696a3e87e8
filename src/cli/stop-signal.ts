/**
 * Resolves at the first SIGINT or SIGTERM (the long-running commands' graceful stop). A second
 * signal while that stop runs ends the process at once (exit 130 / 143), as a second Ctrl-C
 * should. Some listener stays registered throughout: signal-exit (loaded with node-llama-cpp,
 * which now loads when the first model does, after this listener) re-raises a signal it finds
 * itself alone listening to, and that killed a server mid-shutdown instead of letting it finish.
 */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((done) => {
    const force = (signal: NodeJS.Signals) => process.exit(signal === 'SIGINT' ? 130 : 143);
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.on('SIGINT', force);
      process.on('SIGTERM', force);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
