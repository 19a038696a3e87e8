/**
 * A separate `pull` process for the multi-process tests: prints one JSON line per
 * progress event, then `{"done": model}` or `{"error": code}`.
 * Usage: node --import tsx pull-worker.ts MODELS_DIR CATALOG NAME
 */
import { isShenbiError } from '../../src/core/errors.ts';
import { ModelManager } from '../../src/models/index.ts';

const [modelsDir, catalog, name] = process.argv.slice(2);
if (modelsDir === undefined || catalog === undefined || name === undefined) throw new Error('usage: pull-worker MODELS_DIR CATALOG NAME');
const manager = new ModelManager({
  modelsDir,
  catalogs: [catalog],
  download: { progressIntervalMs: 0, lockPollMs: 20, retryDelayMs: 10 },
});
try {
  const model = await manager.pull(name, {
    onProgress: (p) => process.stdout.write(`${JSON.stringify({ received: p.receivedBytes })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ done: model })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: isShenbiError(error) ? error.code : String(error) })}\n`);
  process.exitCode = 1;
}
