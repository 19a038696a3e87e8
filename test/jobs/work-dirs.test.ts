import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { currentWorkRoot, makeWorkDir, removeWorkDir, sweepWorkDirs, workRootOf } from '../../src/fs/work-dir.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { runCli } from '../helpers/cli.ts';

/**
 * Steps' work folders (user media copies, partial MP4s, unlabeled intermediates) live under
 * $SHENBI_HOME/tmp/work, named by process; `recover` and `gc` remove a dead process's, never
 * a live one's.
 */

let home: string;
/** A process that is running for the whole file. */
let liveChild: ReturnType<typeof spawn>;

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** A leftover folder of process `pid`, with a partial file in it, as a crash would leave it. */
function leftover(root: string, pid: number, label: string): string {
  const dir = join(root, `${pid}-t0-${label}-0123456789ab`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'partial.mp4'), Buffer.alloc(1024));
  return dir;
}

before(() => {
  home = mkdtempSync(join(tmpdir(), 'shenbi-workdirs-'));
  liveChild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
});
after(() => {
  liveChild.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

test('sweepWorkDirs removes dead processes’ folders and this process’s unheld ones; live processes’ and held ones stay', async () => {
  const root = join(home, 'sweep', 'tmp', 'work');
  const dead = leftover(root, deadPid(), 'video');
  const live = leftover(root, liveChild.pid!, 'narrated');
  const staleLive = leftover(root, liveChild.pid!, 'edit');
  const old = (Date.now() - 48 * 3_600_000) / 1000;
  utimesSync(join(staleLive, 'partial.mp4'), old, old);
  utimesSync(staleLive, old, old);
  // Left by an earlier process with this same pid (a container restarting gives the same pid).
  const samePid = leftover(root, process.pid, 'audio');
  const foreign = join(root, 'not-a-work-dir');
  mkdirSync(foreign);

  const sweep = await sweepWorkDirs(root);
  assert.equal(existsSync(dead), false, 'a dead process’s folder goes');
  assert.equal(existsSync(samePid), false, 'this pid’s folder that nothing holds goes');
  assert.equal(existsSync(staleLive), false, 'a “live” pid’s folder untouched for 48 h goes (the pid was reused)');
  assert.equal(existsSync(live), true, 'a live process’s folder stays');
  assert.equal(existsSync(foreign), true, 'what is not a work folder is not touched');
  assert.deepEqual(sweep, { removed: 3, kept: 1 });
});

test('a work folder held by this process survives a sweep and is removed by removeWorkDir', async () => {
  const root = join(home, 'held', 'tmp', 'work');
  const { useWorkRoot } = await import('../../src/fs/work-dir.ts');
  const release = useWorkRoot(root);
  try {
    const dir = await makeWorkDir('held');
    assert.ok(dir.startsWith(`${root}/${process.pid}-t0-held-`), dir);
    await sweepWorkDirs(root);
    assert.equal(existsSync(dir), true);
    await removeWorkDir(dir);
    assert.equal(existsSync(dir), false);
  } finally {
    release();
  }
});

test('an open Shenbi puts work folders under its home; runner.recover() removes a crash’s leftovers and keeps a live process’s', async () => {
  const shenbiHome = join(home, 'recover');
  const shenbi = await Shenbi.open({ overrides: { home: shenbiHome }, env: {} });
  try {
    const root = workRootOf(shenbiHome);
    assert.equal(currentWorkRoot(), root);
    const dead = leftover(root, deadPid(), 'lyric-video');
    const live = leftover(root, liveChild.pid!, 'compose');
    const report = await shenbi.runner.recover();
    assert.equal(report.workDirsRemoved, 1);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(live), true);

    // A real step's scratch folder (MP3 encoding through ffmpeg) is made there: with the root
    // blocked by a file the encoding cannot start; with it back it runs and leaves nothing.
    rmSync(root, { recursive: true, force: true });
    writeFileSync(root, 'not a folder');
    const blocked = await shenbi.generate('speech', { text: 'work folder', format: 'mp3' });
    assert.equal(blocked.status, 'failed');
    rmSync(root);
    const job = await shenbi.generate('speech', { text: 'work folder', format: 'mp3' });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    assert.deepEqual(readdirSync(root).filter((name) => name.startsWith(`${process.pid}-`)), []);
  } finally {
    await shenbi.close();
  }
  assert.notEqual(currentWorkRoot(), workRootOf(shenbiHome), 'closing releases the root');
});

test('`shenbi gc` removes a dead process’s work folders and keeps a live one’s', async () => {
  const cliHome = join(home, 'gc');
  const root = workRootOf(cliHome);
  const dead = leftover(root, deadPid(), 'folder-short');
  const live = leftover(root, liveChild.pid!, 'reframe');
  const result = await runCli(['--json', 'gc'], { home: cliHome });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { workDirsRemoved: number; workDirsKept: number };
  assert.equal(out.workDirsRemoved, 1);
  assert.equal(out.workDirsKept, 1);
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(live), true);
});
