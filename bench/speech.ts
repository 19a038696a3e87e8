/**
 * Speech benchmark (issue #23): the speech job in a warm Shenbi vs the eSpeak-NG CLI.
 *   Shenbi:  shenbi.generate('speech', { text, format: 'wav' }) — the path `POST /api/jobs`
 *            and `shenbi generate speech` take: synthesis in the runner process, loudness to
 *            −16 LUFS, WAV, audible label, implicit label, C2PA, store.
 *   anchor:  `espeak-ng -v <voice> -w out.wav "<text>"` as a whole process, started and timed by
 *            a small process of its own (anchor-runner.mjs), so its fork costs this warm Shenbi nothing.
 * 300 Chinese characters (cmn-latn-pinyin; Shenbi's default zh voice) and 300 English
 * characters; fresh text every round (so the step cache never serves it), the two sides
 * alternating which goes first. Then a per-stage profile of the same job, each stage run alone.
 * Run: npm run bench:speech   (env: ROUNDS, default 5)
 */
import { execFile, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import type { Provenance } from '../src/core/provenance.ts';
import { createEspeakEngine } from '../src/engines/espeak/index.ts';
import type { ArtifactCandidate } from '../src/governance/hook.ts';
import { Moderator } from '../src/governance/moderation/index.ts';
import { governancePolicy } from '../src/governance/policy.ts';
import { Shenbi } from '../src/shenbi.ts';
import { movable } from '../src/workers/off-thread.ts';

const run = promisify(execFile);
const ROUNDS = Math.max(3, Number(process.env.ROUNDS ?? 5));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Fresh text per round: a seeded pick from common characters / words.
const HAN = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域读';
const WORDS = 'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(' ');
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
function chineseText(seed: number): string {
  const next = rng(seed);
  let out = '';
  while (out.length < 300) {
    const n = 8 + Math.floor(next() * 10);
    for (let i = 0; i < n && out.length < 299; i++) out += HAN[Math.floor(next() * HAN.length)];
    out += out.length >= 299 ? '。' : next() < 0.7 ? '，' : '。';
  }
  return out.slice(0, 300);
}
function englishText(seed: number): string {
  const next = rng(seed);
  let out = '';
  let sentence = 0;
  while (out.length < 300) {
    let word = WORDS[Math.floor(next() * WORDS.length)]!;
    if (sentence === 0) word = word[0]!.toUpperCase() + word.slice(1);
    out += (out === '' ? '' : ' ') + word;
    if (++sentence > 8 + next() * 6) {
      out += '.';
      sentence = 0;
    }
  }
  return `${out.slice(0, 299).trimEnd()}.`.padEnd(300, '.');
}

interface Case { name: string; language: 'zh' | 'en'; cliVoice: string; voice?: string; text: (seed: number) => string }
const CASES: Case[] = [
  { name: '300 Chinese characters', language: 'zh', cliVoice: 'cmn-latn-pinyin', text: chineseText },
  { name: '300 English characters', language: 'en', cliVoice: 'en', text: englishText },
];

// The anchor is Debian's espeak-ng CLI (the same engine, native): without it there is nothing to compare with.
await run('espeak-ng', ['--version']).catch(() => {
  console.error('bench:speech compares with the espeak-ng command line: install it first (Debian: apt install espeak-ng).');
  process.exit(2);
});

const home = await mkdtemp(join(tmpdir(), 'shenbi-bench-speech-'));
const shenbi = await Shenbi.open({ overrides: { home } });
const cliDir = await mkdtemp(join(tmpdir(), 'shenbi-bench-speech-cli-'));

/**
 * CPU time, the load-proof companion of wall time on a shared machine: this process (main
 * thread and the worker pool), its live children (the eSpeak runner; the anchor runner, idle
 * during a job) and the children it has reaped, from /proc in clock ticks (10 ms; medians
 * smooth that). The CLI's own CPU is read by the anchor runner, which reaps it.
 */
const TICK_MS = 10;
function procTimes(pid: number): { own: number; reaped: number; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    return { ppid: Number(fields[1]), own: (Number(fields[11]) + Number(fields[12])) * TICK_MS, reaped: (Number(fields[13]) + Number(fields[14])) * TICK_MS };
  } catch {
    return undefined; // gone meanwhile
  }
}
function childrenCpuMs(): number {
  let children = procTimes(process.pid)?.reaped ?? 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const child = procTimes(Number(name));
    if (child?.ppid === process.pid) children += child.own;
  }
  return children;
}
const ownCpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
/** CPU so far; read this process's own last at the start and first at the end, so the /proc scan stays outside. */
function cpuAtStart(): number {
  const children = childrenCpuMs();
  return children + ownCpuMs();
}
function cpuAtEnd(): number {
  const own = ownCpuMs();
  return own + childrenCpuMs();
}

let seed = 1;
async function shenbiJob(c: Case): Promise<{ ms: number; cpu: number; seconds: number }> {
  const text = c.text(seed++);
  const cpu = cpuAtStart();
  const t = performance.now();
  const job = await shenbi.generate('speech', { text, language: c.language, format: 'wav' });
  const ms = performance.now() - t;
  if (job.status !== 'completed') throw new Error(`speech job ${job.status}: ${JSON.stringify(job.error)}`);
  return { ms, cpu: cpuAtEnd() - cpu, seconds: Number((job.outputs as Record<string, unknown> | null)?.duration ?? 0) };
}
// The CLI runs from a small process of its own (see anchor-runner.mjs): spawning it from this
// process would fork the warm Shenbi, and its next job would pay for that fork.
const anchorRunner = fork(new URL('./anchor-runner.mjs', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
let anchorId = 0;
function runAnchor(file: string, args: string[]): Promise<{ ms: number; cpuMs: number }> {
  const id = ++anchorId;
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { id: number; ms: number; cpuMs: number; error?: string }) => {
      if (reply.id !== id) return;
      anchorRunner.off('message', onMessage);
      if (reply.error !== undefined) reject(new Error(`${file} failed: ${reply.error}`));
      else resolve(reply);
    };
    anchorRunner.on('message', onMessage);
    anchorRunner.send({ id, file, args });
  });
}
async function anchor(c: Case): Promise<{ ms: number; cpu: number }> {
  const text = c.text(seed++);
  // Wall and CPU (user + system, once reaped) of the whole command, measured by the runner.
  const { ms, cpuMs } = await runAnchor('espeak-ng', ['-v', c.cliVoice, '-w', join(cliDir, 'out.wav'), text]);
  return { ms, cpu: cpuMs };
}

// Warm, as a server is once it has served a few jobs (or once `serve` has warmed it at
// startup: EspeakEngine.warmUp, governancePolicy's warmUp): the runner (eSpeak runs several
// times slower over its first ~1,000 characters), the worker pool, the signing keys, the voices.
const WARM_JOBS = 4;
for (const c of CASES) {
  for (let i = 0; i < WARM_JOBS; i++) await shenbiJob(c);
  await anchor(c);
}

const rows: string[] = [];
const jobMedian: Record<string, number> = {};
for (const c of CASES) {
  const ours: { ms: number; cpu: number }[] = [];
  const theirs: { ms: number; cpu: number }[] = [];
  let seconds = 0;
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 1) theirs.push(await anchor(c));
    const r = await shenbiJob(c);
    ours.push(r);
    seconds = r.seconds;
    if (i % 2 === 0) theirs.push(await anchor(c));
  }
  const wall = [median(ours.map((r) => r.ms)), median(theirs.map((r) => r.ms))] as const;
  const cpu = [median(ours.map((r) => r.cpu)), median(theirs.map((r) => r.cpu))] as const;
  const ratio = wall[0] / wall[1];
  jobMedian[c.name] = wall[0];
  rows.push(`| ${c.name} (${seconds.toFixed(0)} s audio), WAV | ${wall[0].toFixed(0)} | ${wall[1].toFixed(0)} | ${ratio.toFixed(2)}× | ${cpu[0].toFixed(0)} | ${cpu[1].toFixed(0)} | ${(cpu[0] / cpu[1]).toFixed(2)}× | ≤ 1.5× | ${ratio <= 1.5 ? 'met' : 'not met'} |`);
}
// Per-stage profile: the job's stages one by one, outside the job runner (PROFILE=0 skips it).
const PROFILE = process.env.PROFILE !== '0';
const { masterWavOffThread } = await import('../src/media/audio/off-thread.ts');
const engine = createEspeakEngine();
const config = loadConfig({ overrides: { home } });
const policy = governancePolicy(config, { moderator: new Moderator(config.moderation), log: () => {}, warmUp: true });
const provenance: Provenance = {
  task: 'speech',
  inputs: {},
  engine: { id: 'espeak-ng', version: 'bench' },
  model: null,
  parameters: {},
  seed: null,
  parents: [],
  timings: { startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 0 },
} as unknown as Provenance;
let serial = 0;
// Warm this runner (as a server does at startup), and the pool's loudness and WAV modules, like the job's.
if (PROFILE) await engine.warmUp();
if (PROFILE) for (const c of CASES) await masterWavOffThread((await engine.synthesize({ text: c.text(seed++), language: c.language })).audio, { targetLufs: -16, peakDb: -1 });
const STAGES = ['synthesis', 'loudness + WAV (one worker task)', 'label + implicit + C2PA (governance)', 'hash/store + job overhead (rest of the job)'] as const;
const profile: string[] = [];
for (const c of PROFILE ? CASES : []) {
  const times: Record<string, number[]> = Object.fromEntries(STAGES.map((s) => [s, []]));
  for (let i = 0; i < ROUNDS; i++) {
    const text = c.text(seed++);
    let t = performance.now();
    const synth = await engine.synthesize({ text, language: c.language });
    times.synthesis!.push(performance.now() - t);
    t = performance.now();
    // Handed over as the job hands them over: the samples moved to the worker, the WAV given up to governance.
    const { bytes } = await masterWavOffThread(synth.audio, { targetLufs: -16, peakDb: -1 }, 1, { transfer: movable(synth.audio.samples) });
    times['loudness + WAV (one worker task)']!.push(performance.now() - t);
    t = performance.now();
    const candidate: ArtifactCandidate = { id: `art_bench${String(serial++).padStart(20, '0')}`, kind: 'audio', mimeType: 'audio/wav', bytes, name: 'speech.wav', provenance, bytesMovable: true };
    await policy.review(candidate);
    times['label + implicit + C2PA (governance)']!.push(performance.now() - t);
  }
  const measured = STAGES.slice(0, 3).map((s) => median(times[s]!));
  const rest = jobMedian[c.name]! - measured.reduce((a, b) => a + b, 0);
  const outside = jobMedian[c.name]! - measured[0]!;
  profile.push(`| ${c.name} | ${[...measured, rest].map((x) => x.toFixed(0)).join(' | ')} | ${(outside / measured[0]!).toFixed(2)}× |`);
}
anchorRunner.disconnect();
await engine.close();
await shenbi.close();
await rm(home, { recursive: true, force: true });
await rm(cliDir, { recursive: true, force: true });

console.log(`speech job vs espeak-ng CLI, ${ROUNDS} alternating rounds, medians, ms (wall; CPU = all threads and child processes); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('| row | Shenbi | espeak-ng CLI | ratio | Shenbi CPU | CLI CPU | CPU ratio | target | status |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
if (PROFILE) console.log('\nper-stage profile (each stage alone, medians, ms; the rest of the job = job − their sum)\n');
if (PROFILE) console.log(`| text | ${STAGES.join(' | ')} | job outside synthesis ÷ synthesis |`);
if (PROFILE) console.log('|---|---|---|---|---|---|');
for (const p of profile) console.log(p);
