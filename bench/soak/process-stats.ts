import { readFileSync, readdirSync } from 'node:fs';

/** One look at the server: its own RSS, its process tree's (eSpeak runner, ffmpeg, …) and their CPU time so far. */
export interface ProcessSample {
  /** Unix seconds (sub-millisecond), the clock the latency samples use too. */
  t: number;
  rssMb: number;
  treeRssMb: number;
  /** user + system CPU seconds of the tree, reaped children included. */
  cpuSeconds: number;
}

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux the project runs on.

function readStat(pid: number): { ppid: number; cpuTicks: number; childTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const at = (n: number) => Number(fields[n - 3]);
    return { ppid: at(4), cpuTicks: at(14) + at(15), childTicks: at(16) + at(17) };
  } catch {
    return undefined; // exited meanwhile
  }
}

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

/** The pid and every live descendant. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat === undefined) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** Whether /proc can be read here (Linux); elsewhere the soak reports no RSS or CPU. */
export function canSampleProcesses(pid: number): boolean {
  return readStat(pid) !== undefined;
}

/** Samples `pid` now. */
export function sampleProcess(pid: number): ProcessSample {
  const tree = processTree(pid);
  let treeKb = 0;
  let ticks = 0;
  for (const member of tree) {
    treeKb += rssKb(member);
    const stat = readStat(member);
    // Reaped children are no longer in the tree: their time is in their parent's child ticks.
    if (stat !== undefined) ticks += stat.cpuTicks + stat.childTicks;
  }
  return { t: nowSeconds(), rssMb: rssKb(pid) / 1024, treeRssMb: treeKb / 1024, cpuSeconds: ticks / CLOCK_TICKS };
}

/** Unix time in seconds with performance.now()'s resolution; comparable across processes. */
export function nowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}
