/**
 * Motion benchmark: time to synthesise a 60 s, 30 fps multi-action clip (timeline, per-action
 * generators, layering, pelvis height, leg IK, joint limits; no text model), median of RUNS,
 * plus forward kinematics and the plausibility metrics; then PhysDiff-style metrics for every
 * action of the vocabulary on its own (docs/architecture.md, "Motion", states the definitions).
 * Target: ≤ 0.5 s for the 60 s clip on 2 cores. CPU time is printed beside wall time: on a
 * loaded machine the wall time mostly measures the wait for a core.
 * Run: npm run bench:motion   (RUNS=n for more runs, median reported)
 */
import { ACTIONS, type ActionPlanInput } from '../src/engines/motion/action-plan.ts';
import { motionMetrics } from '../src/engines/motion/metrics.ts';
import { jointPositions, synthesizeMotion } from '../src/engines/motion/synth/index.ts';

const RUNS = Number(process.env.RUNS ?? 7);
const FPS = 30;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** About a minute of mixed actions: locomotion, layered gestures, postures. */
const SIXTY_SECONDS: ActionPlanInput = {
  actions: [
    { action: 'walk', params: { distance: 4 } },
    { action: 'wave', params: { hand: 'right' } },
    { action: 'turn', params: { angle: 90 } },
    { action: 'jog', params: { distance: 6 } },
    { action: 'run', params: { distance: 10, speed: 4.5 } },
    { action: 'turn', params: { angle: -180 } },
    { action: 'walk', params: { distance: 3, direction: 'backward' } },
    { action: 'jump', params: { distance: 0.6 } },
    { action: 'bow' },
    { action: 'kneel' },
    { action: 'stand_up' },
    { action: 'dance_step', params: { count: 2 } },
    { action: 'punch', params: { count: 3, hand: 'both' }, layer: 'full' },
    { action: 'kick' },
    { action: 'pick_up' },
    { action: 'throw', layer: 'full' },
    { action: 'walk', params: { distance: 2, direction: 'left' } },
    { action: 'nod' },
    { action: 'stretch' },
    { action: 'sit_down' },
    { action: 'look_around', layer: 'full' },
    { action: 'stand_up' },
    { action: 'tai_chi' },
  ],
};

const synthTimes: number[] = [];
const synthCpu: number[] = [];
const fkTimes: number[] = [];
const metricTimes: number[] = [];
let seconds = 0;
let frames = 0;
for (let run = 0; run < RUNS; run++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const motion = synthesizeMotion(SIXTY_SECONDS, { fps: FPS, seed: run });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  synthCpu.push((cpu.user + cpu.system) / 1000);
  const positions = jointPositions(motion.clip);
  const t2 = performance.now();
  motionMetrics(positions, motion.clip.frameCount, FPS, motion.clip.contacts);
  const t3 = performance.now();
  synthTimes.push(t1 - t0);
  fkTimes.push(t2 - t1);
  metricTimes.push(t3 - t2);
  frames = motion.clip.frameCount;
  seconds = (frames - 1) / FPS;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`multi-action clip: ${SIXTY_SECONDS.actions.length} actions, ${seconds.toFixed(1)} s, ${frames} frames at ${FPS} fps; ${RUNS} runs (median)`);
console.log(`  synthesise        ${ms(median(synthTimes))} wall, ${ms(median(synthCpu))} CPU   (target ≤ 500 ms; first run ${ms(synthTimes[0]!)} includes JIT warm-up)`);
console.log(`  joint positions   ${ms(median(fkTimes))}`);
console.log(`  metrics           ${ms(median(metricTimes))}`);
console.log(`  total             ${ms(median(synthTimes.map((t, i) => t + fkTimes[i]! + metricTimes[i]!)))}`);

console.log('\nplausibility per action (seed 1, 30 fps; contacts from the synthesiser; "skate*" uses height-detected contacts instead)');
const header = ['action', 'seconds', 'skate cm/s', 'skate* cm/s', 'float cm', 'penetration cm', 'jerk m/s³'];
const rows = ACTIONS.map((action) => {
  const motion = synthesizeMotion({ actions: [{ action }] }, { fps: FPS, seed: 1 });
  const positions = jointPositions(motion.clip);
  const m = motionMetrics(positions, motion.clip.frameCount, FPS, motion.clip.contacts);
  const detected = motionMetrics(positions, motion.clip.frameCount, FPS);
  return [action, ((motion.clip.frameCount - 1) / FPS).toFixed(2), m.footSkateCmPerS.toFixed(3), detected.footSkateCmPerS.toFixed(3), m.floatCm.toFixed(3), m.penetrationCm.toFixed(3), m.jerk.toFixed(1)];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
