import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.ts';
import { SseReader } from '../helpers/sse-reader.ts';

/** A private mount namespace (no root needed) where a small tmpfs stands in for a disk that fills up. */
function canMountPrivateTmpfs(): boolean {
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && echo ok'], { encoding: 'utf8' });
  return probe.stdout.trim() === 'ok';
}

// SHENBI_HOME is a tmpfs in the server's own mount namespace. On `fill SIZE` a ballast file
// takes all of it but SIZE; on `free` the ballast goes, as when an operator frees space.
// `stop` ends the server and reports what is left on that disk.
const SCRIPT = `
mount -t tmpfs -o size=16m tmpfs "$SHENBI_HOME" || exit 99
printf '%s' '{"jobs":{"heartbeatMs":100,"staleAfterMs":2000,"recoverEveryMs":500}}' > "$SHENBI_HOME/config.json"
node bin/shenbi.js --json serve --port 0 < /dev/null &
server=$!
while read -r command size; do
  case "$command" in
    fill) cat /dev/zero > "$SHENBI_HOME/ballast" 2>/dev/null; truncate -s -"$size" "$SHENBI_HOME/ballast"; echo FILLED ;;
    free) rm -f "$SHENBI_HOME/ballast"; echo FREED ;;
    stop)
      kill -TERM $server; wait $server
      echo "LEFT $(ls -A "$SHENBI_HOME/blobs/tmp" 2>/dev/null | wc -l) $(ls -A "$SHENBI_HOME/tmp/work" 2>/dev/null | wc -l)"
      node --import tsx test/cli/fixtures/inspect-store.ts
      exit 0 ;;
  esac
done
# The test ended early (stdin closed): the server must not outlive it.
kill -TERM $server 2>/dev/null; wait $server`;

async function command(server: ServeProcess, name: string, reply: string): Promise<void> {
  const seen = server.stdout().length;
  server.child.stdin.write(`${name}\n`);
  const deadline = Date.now() + 60_000;
  while (!server.stdout().slice(seen).includes(reply)) {
    if (Date.now() > deadline) throw new Error(`no ${reply} after ${name}:\n${server.stdout()}\n${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface JobRow {
  id: string;
  status: string;
  error: { code: string } | null;
}

test('a disk that fills under `shenbi serve`: refused submissions leave no job, jobs that hit it fail with DISK_FULL and release everything', { timeout: 600_000 }, async (t) => {
  if (!canMountPrivateTmpfs()) {
    t.skip('this kernel does not allow user namespaces with tmpfs mounts (unshare -rm)');
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'shenbi-full-serve-'));
  const server = await startServeProcess({ home, command: 'unshare', args: ['-rm', 'sh', '-c', SCRIPT] });
  const submit = (recipient: string, seed: number) =>
    fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'blessing-card', input: { recipient, seed } }) });
  const jobs = async () => ((await (await fetch(`${server.url}/api/jobs?limit=100`)).json()) as { data: JobRow[] }).data;
  try {
    // With room to spare a card is made (and the signing keys with it).
    const warm = (await (await submit('Warm', 0)).json()) as { id: string };
    const warmEvents = await new SseReader(`${server.url}/api/jobs/${warm.id}/events`).untilEnd(120_000, 'the warm-up job');
    assert.equal(warmEvents.at(-1)?.event, 'result');

    const accepted: string[] = [];
    // 120K: jobs are accepted and fail at the card (~220 KiB). 40K: the database itself fills,
    // while jobs are submitted, claimed and their ends written.
    for (const [round, headroom] of ['120K', '40K'].entries()) {
      await command(server, `fill ${headroom}`, 'FILLED');
      const answers = await Promise.all(['Ada', 'Bo', 'Cy', 'Di', 'Ed', 'Flo'].map(async (recipient, i) => {
        const response = await submit(`${recipient}${round}`, 10 * round + i + 1);
        return { status: response.status, body: (await response.json()) as { id?: string; error?: { code: string; message: string } } };
      }));
      t.diagnostic(`${headroom} free: ${answers.map((a) => `${a.status} ${a.body.error?.message ?? ''}`).join('; ')}`);
      for (const answer of answers) {
        if (answer.status !== 202) assert.deepEqual([answer.status, answer.body.error?.code], [507, 'DISK_FULL']);
      }
      const ids = answers.filter((a) => a.status === 202).map((a) => a.body.id!);
      accepted.push(...ids);
      // Watchers learn the failure while the disk is still full.
      for (const id of ids) {
        const events = await new SseReader(`${server.url}/api/jobs/${id}/events`).untilEnd(60_000, `job ${id}`);
        assert.equal(events.at(-1)?.event, 'error', events.map((e) => e.event).join(', '));
        assert.equal((JSON.parse(events.at(-1)!.data) as { error: { code: string } }).error.code, 'DISK_FULL');
      }

      await command(server, 'free', 'FREED');
      // Once space is back, the server itself records every end: nothing stays queued or running.
      const deadline = Date.now() + 30_000;
      let rows = await jobs();
      while (rows.some((j) => j.status === 'queued' || j.status === 'running') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = await jobs();
      }
      const failed = rows.filter((j) => j.id !== warm.id);
      assert.deepEqual(failed.map((j) => [j.status, j.error?.code]), failed.map(() => ['failed', 'DISK_FULL']), JSON.stringify(rows));
      // Exactly the submissions that were accepted exist: a refused one left nothing that could run later.
      assert.deepEqual(failed.map((j) => j.id).sort(), [...accepted].sort());
      for (const id of ids) {
        const view = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { steps: Array<{ id: string; status: string }> };
        for (const step of view.steps) assert.ok(!['pending', 'running'].includes(step.status), `${id}: ${JSON.stringify(view.steps)}`);
      }
    }

    await command(server, 'stop', '"jobs"');
    const [left] = /LEFT \d+ \d+/.exec(server.stdout()) ?? [];
    assert.equal(left, 'LEFT 0 0', 'temp blob files and work folders left behind');
    const report = JSON.parse(server.stdout().trim().split('\n').at(-1)!) as { artifacts: Array<{ intact: boolean }>; jobs: Array<{ status: string }> };
    assert.ok(report.artifacts.every((a) => a.intact), 'every visible artifact is whole');
  } finally {
    server.child.stdin.end();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
