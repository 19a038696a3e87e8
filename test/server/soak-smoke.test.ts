import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SoakReport } from '../../bench/soak/report.ts';

const SOAK = fileURLToPath(new URL('../../bench/soak.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Runs bench/soak.ts as `npm run bench:soak` does, for a few seconds, and returns its JSON report. */
function runShortSoak(args: string[]): Promise<{ status: number | null; report: SoakReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SOAK, ...args, '--json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        resolve({ status, report: JSON.parse(stdout) as SoakReport, stderr });
      } catch {
        reject(new Error(`no JSON report (exit ${status}); stdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr.slice(-4000)}`));
      }
    });
  });
}

// The bench must not rot: a short run through every part of it (server process, two tenants,
// every job kind of the mix, uploads, chats, SSE watchers, the poller, the cancel at the end)
// and its own checks. Latency and RSS targets need the full run (npm run bench:soak), not this.
test('bench/soak smoke: every job kind submitted, every SSE stream ended, no unexpected errors', { timeout: 240_000 }, async () => {
  // Five slots: the first round submits each of the five kinds once.
  const { status, report, stderr } = await runShortSoak(['--seconds', '6', '--idle-seconds', '2', '--drain-seconds', '2', '--concurrency', '5', '--chats', '1']);
  const errors = report.unexpected.listed.map((e) => `${e.where}: ${e.message}`).join('\n');
  assert.equal(report.unexpected.total, 0, `unexpected errors:\n${errors}\n--- stderr:\n${stderr.slice(-3000)}`);
  const { jobs, sse, chats } = report.counts;
  for (const kind of ['speech', 'song', 'image-upload', 'video', 'card']) assert.ok((jobs.byKind[kind]?.submitted ?? 0) >= 1, `${kind} was submitted`);
  assert.ok(jobs.completed >= 1, 'at least the warm-up speech job completed');
  assert.equal(jobs.completed + jobs.failed + jobs.cancelledBySoak, jobs.submitted, 'every submitted job was accounted for');
  assert.equal(sse.opened, jobs.submitted, 'one SSE watcher per job');
  assert.equal(sse.endedProperly, sse.opened, 'every stream ended with result or error');
  assert.equal(sse.hung + sse.endedEarly, 0);
  assert.ok(chats.completed >= 1);
  assert.ok(report.counts.uploads.count >= 1);
  assert.ok(report.latency.idle.count > 0 && report.latency.loaded.count > 0, '/v1/models was polled idle and under load');
  assert.equal(report.rss.judged, false, 'too short a run to judge RSS');
  assert.equal(status, 0, `exit status; checks: ${JSON.stringify(report.checks)}`);
});
