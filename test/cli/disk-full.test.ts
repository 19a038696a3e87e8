import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A private mount namespace (no root needed) where a tiny tmpfs can stand in for a full disk. */
function canMountPrivateTmpfs(): boolean {
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && echo ok'], { encoding: 'utf8' });
  return probe.stdout.trim() === 'ok';
}

test('a full disk fails the job with DISK_FULL (exit 5) and leaves nothing half-written', (t) => {
  if (!canMountPrivateTmpfs()) {
    t.skip('this kernel does not allow user namespaces with tmpfs mounts (unshare -rm)');
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'shenbi-full-'));
  try {
    // The database (with its ledger and key tables) and the signing keys fit in 480 KiB; a 1080×1440 card image does not.
    const script = [
      'mount -t tmpfs -o size=480k tmpfs "$SHENBI_HOME" || exit 99',
      'out=$(node bin/shenbi.js --json run showcase --set seed=1 2>/dev/null); echo "exit=$?"',
      'printf "%s" "$out" | tr -d "\\n"; echo',
      'node --import tsx test/cli/fixtures/inspect-store.ts',
    ].join('\n');
    const run = spawnSync('unshare', ['-rm', 'sh', '-c', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SHENBI_HOME: home },
      timeout: 180_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const [exitLine, errorLine, reportLine] = run.stdout.trim().split('\n');
    assert.equal(exitLine, 'exit=5', run.stdout + run.stderr);
    const error = JSON.parse(errorLine ?? '{}') as { error: { code: string; message: string } };
    assert.equal(error.error.code, 'DISK_FULL');
    const report = JSON.parse(reportLine ?? '{}') as {
      artifacts: { id: string; intact: boolean }[];
      tempFiles: string[];
      jobs: { status: string; code: string | null }[];
    };
    assert.deepEqual(report.tempFiles, [], 'no temp file left behind');
    assert.ok(report.artifacts.every((a) => a.intact), 'every visible artifact is whole');
    assert.equal(report.jobs.length, 1);
    assert.deepEqual(report.jobs[0], { ...report.jobs[0], status: 'failed', code: 'DISK_FULL' });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
