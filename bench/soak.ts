/**
 * Soak benchmark: `shenbi serve` (its own process, a temp SHENBI_HOME, stories260K as the text
 * model, two tenants' API keys) under mixed load for a configurable time — job slots that keep
 * `--concurrency` jobs in flight (speech, sung songs, two-scene narrated videos, thumbnails of
 * uploaded pictures, blessing cards), each watched over SSE to its final event and checked
 * against its record, its first artifact read back; chat completions streamed and not; WAV
 * uploads read back and deleted — while a separate process polls `/v1/models` every 50 ms.
 *
 * The comparison is the same server idle (baseline phase) vs loaded: p50/p90/p99/max and the
 * ratio, with the target p99 ≤ 100 ms while the cores are busy with jobs (PASS/FAIL, not a gate).
 * Also: the server's RSS over time and its slope after warm-up, CPU used, counts by route and
 * status, jobs completed/failed (codes), SSE streams ended vs hung, every unexpected error.
 * Exits 1 on any unexpected error, a stream that did not end properly, or RSS growth after
 * warm-up above --max-rss-slope (when the window is at least a minute).
 *
 * Run: npm run bench:soak [-- --minutes 10] [--seconds N] [--concurrency N] [--chats N] [--json]
 * (10 minutes by default; the suite runs a 6-second smoke of it, test/server/soak-smoke.test.ts.)
 */
import { parseSoakArgs } from './soak/options.ts';
import { formatReport } from './soak/report.ts';
import { runSoak } from './soak/run.ts';

let options: ReturnType<typeof parseSoakArgs>;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const report = await runSoak(options, (line) => console.error(`[soak] ${line}`));
console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
process.exitCode = report.ok ? 0 : 1;
