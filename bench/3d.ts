/**
 * 3D benchmark: build time at medium detail for each built-in library object and for a
 * generated 200-part program, split into the kernel stage (our builder: limits analysis,
 * manifold-3d booleans, mesh extraction with normals and the watertight check) and the
 * writer stage (glTF document, weld/dedup/prune, GLB). The reference is manifold-3d called
 * directly on the same shape trees (no schema, no limits, no watertight check, no glTF): the
 * kernel's own time for the same booleans and the same kernel outputs per part (getMesh,
 * volume, calculateNormals + getMesh), so the ratio is the builder's own overhead.
 * Targets: whole build ≤ 1 s per object on 2 cores; builder kernel stage / direct kernel ≤ 1.2.
 * Run: npm run bench:3d   (RUNS=n for more runs, median reported)
 */
import { buildPartMeshes } from '../src/engines/scene3d/build-parts.ts';
import { buildSceneInThread, writeSceneFiles } from '../src/engines/scene3d/build-scene.ts';
import { BUILT_IN_OBJECTS } from '../src/engines/scene3d/library/index.ts';
import { loadKernel, type Kernel, type Manifold } from '../src/engines/scene3d/manifold-kernel.ts';
import { DETAIL_LEVELS, type SceneProgram, type SceneProgramInput, type Shape, type Transform } from '../src/engines/scene3d/scene-program.ts';
import { validateSceneProgram } from '../src/engines/scene3d/validate-program.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const DETAIL = 'medium' as const;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A 200-part program: a grid of drilled blocks, balls, capsules and cones (booleans on a quarter of them). */
function twoHundredParts(): SceneProgramInput {
  const kinds: Shape[] = [
    { type: 'difference', base: { type: 'box', size: [0.08, 0.08, 0.08] }, subtract: [{ type: 'cylinder', radius: 0.02, height: 0.1, transform: { translate: [0, -0.01, 0] } }] },
    { type: 'sphere', radius: 0.04 },
    { type: 'capsule', radius: 0.02, height: 0.08 },
    { type: 'cone', radius: 0.04, height: 0.08 },
  ];
  return {
    name: 'two hundred parts',
    materials: { a: { baseColor: '#a05a2c' }, b: { baseColor: '#2c6aa0', metallic: 1, roughness: 0.3 } },
    parts: Array.from({ length: 200 }, (_, i) => ({ name: `part ${i}`, material: i % 2 === 0 ? 'a' : 'b', shape: kinds[i % kinds.length]!, transform: { translate: [(i % 20) * 0.1, 0, Math.floor(i / 20) * 0.1] } })),
  };
}

// ---- manifold-3d called directly on the same shape trees -------------------------------------------------------

function direct(program: SceneProgram, kernel: Kernel): void {
  const n = DETAIL_LEVELS[DETAIL].circularSegments;
  const { Manifold, CrossSection } = kernel;
  const made: Array<{ delete(): void }> = [];
  const keep = <T extends { delete(): void }>(x: T): T => (made.push(x), x);
  const shapes = new Map(program.parts.map((p) => [p.name, p.shape]));
  const cache = new Map<string, Manifold>();
  const place = (m: Manifold, t: Transform | undefined): Manifold => {
    if (t === undefined) return m;
    if (t.scale !== undefined) m = keep(m.scale(t.scale));
    if (t.rotate !== undefined) m = keep(m.rotate(t.rotate));
    if (t.translate !== undefined) m = keep(m.translate(t.translate));
    return m;
  };
  const up = (m: Manifold) => keep(m.rotate([-90, 0, 0]));
  const union = (ms: Manifold[]) => (ms.length === 1 ? ms[0]! : keep(Manifold.union(ms)));
  const solid = (s: Shape): Manifold => place(raw(s), s.transform);
  const raw = (s: Shape): Manifold => {
    switch (s.type) {
      case 'box': return up(keep(keep(Manifold.cube([s.size[0], s.size[2], s.size[1]], true)).translate([0, 0, s.size[1] / 2])));
      case 'roundedBox': {
        const [x, y, z] = s.size; const r = s.radius; const c = keep(Manifold.sphere(r, n)); const pts: Manifold[] = [];
        for (const a of [-1, 1]) for (const b of [-1, 1]) for (const h of [0, 1]) pts.push(keep(c.translate([a * (x / 2 - r), b * (z / 2 - r), r + h * (y - 2 * r)])));
        return up(keep(Manifold.hull(pts)));
      }
      case 'sphere': return up(keep(keep(Manifold.sphere(s.radius, n)).translate([0, 0, s.radius])));
      case 'cylinder': return up(keep(Manifold.cylinder(s.height, s.radius, s.radiusTop ?? s.radius, n)));
      case 'cone': return up(keep(Manifold.cylinder(s.height, s.radius, 0, n)));
      case 'torus': return up(keep(keep(keep(CrossSection.circle(s.minorRadius, n)).translate([s.majorRadius, s.minorRadius])).revolve(n)));
      case 'capsule': { const e = keep(Manifold.sphere(s.radius, n)); return up(keep(Manifold.hull([keep(e.translate([0, 0, s.radius])), keep(e.translate([0, 0, Math.max(s.radius, s.height - s.radius)]))]))); }
      case 'extrude': {
        let cs = keep(new CrossSection([s.profile.map(([x, z]): [number, number] => [x, -z])], 'NonZero'));
        for (const h of s.holes ?? []) cs = keep(cs.subtract(keep(new CrossSection([h.map(([x, z]): [number, number] => [x, -z])], 'NonZero'))));
        const twist = s.twist ?? 0;
        return up(keep(cs.extrude(s.height, twist === 0 ? 0 : Math.max(1, Math.ceil((Math.abs(twist) * n) / 360)) - 1, twist, s.scaleTop ?? 1)));
      }
      case 'revolve': return up(keep(keep(new CrossSection([s.profile], 'NonZero')).revolve(n, s.degrees ?? 360)));
      case 'text': throw new Error('text is not benchmarked');
      case 'union': return union(s.children.map(solid));
      case 'intersection': return keep(Manifold.intersection(s.children.map(solid)));
      case 'difference': return keep(Manifold.difference([solid(s.base), ...s.subtract.map(solid)]));
      case 'array': { const c = solid(s.child); return union(Array.from({ length: s.count }, (_, i) => (i === 0 ? c : keep(c.translate([s.offset[0] * i, s.offset[1] * i, s.offset[2] * i]))))); }
      case 'radialArray': {
        const c = solid(s.child); const d = s.degrees ?? 360; const step = d >= 360 ? 360 / s.count : s.count > 1 ? d / (s.count - 1) : 0;
        return union(Array.from({ length: s.count }, (_, i) => (i === 0 ? c : keep(c.rotate([0, step * i, 0])))));
      }
      case 'mirror': { const c = solid(s.child); const m = keep(c.mirror(s.normal)); return s.keepOriginal === false ? m : union([c, m]); }
      case 'ref': {
        const hit = cache.get(s.part); if (hit !== undefined) return hit;
        const built = solid(shapes.get(s.part)!); cache.set(s.part, built); return built;
      }
    }
  };
  for (const part of program.parts) {
    let m = cache.get(part.name);
    if (m === undefined) { m = solid(part.shape); cache.set(part.name, m); }
    // The same kernel outputs the builder takes: the closed mesh, the volume, and the mesh with normals for glTF.
    const placed = place(m, part.transform);
    placed.getMesh();
    placed.volume();
    keep(placed.calculateNormals(0, 50)).getMesh();
  }
  for (const x of made) x.delete();
}

// ---- measure -----------------------------------------------------------------------------------------------------

const kernel = await loadKernel();
const programs: Array<{ label: string; program: SceneProgramInput }> = [
  ...BUILT_IN_OBJECTS.map((object) => ({ label: object.id, program: object.build({ seed: 0 }) })),
  { label: '200-part program', program: twoHundredParts() },
];

/** Wall time and this process's CPU time (user + system): on a shared, loaded machine the CPU time is the steadier measure. */
async function timed(work: () => unknown): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
}

interface Timing { wall: number; cpu: number }
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
interface Row { label: string; triangles: number; whole: Timing; builder: Timing; writer: Timing; kernel: Timing }
const medianTiming = (xs: Timing[]): Timing => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
const rows: Row[] = [];
for (const { label, program } of programs) {
  const validated = validateSceneProgram(program);
  const first = await buildSceneInThread(program, { detail: DETAIL }); // warm: module caches, JIT
  direct(validated, kernel);
  const whole: Timing[] = [], builder: Timing[] = [], writer: Timing[] = [], reference: Timing[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Each measurement starts on a quiet process: the CPU clock counts every thread, and the
    // worker thread of the whole build (its GC, its buffers) would otherwise be billed to the
    // next stage, which on millisecond objects doubles it.
    await settle();
    whole.push(await timed(() => buildSceneInThread(program, { detail: DETAIL })));
    let parts: Awaited<ReturnType<typeof buildPartMeshes>> = [];
    await settle();
    builder.push(await timed(async () => (parts = await buildPartMeshes(validated, DETAIL))));
    await settle();
    writer.push(await timed(() => writeSceneFiles(validated, parts, ['glb'])));
    await settle();
    reference.push(await timed(() => direct(validated, kernel)));
  }
  rows.push({ label, triangles: first.metrics.triangles, whole: medianTiming(whole), builder: medianTiming(builder), writer: medianTiming(writer), kernel: medianTiming(reference) });
}

const ms = (t: Timing) => `${t.wall.toFixed(0)} ms (${t.cpu.toFixed(0)})`;
const [load] = (await import('node:os')).loadavg();
console.log(`medium detail (${DETAIL_LEVELS[DETAIL].circularSegments} segments), median of ${RUNS} runs, one thread; wall time (CPU time in brackets); load average ${load!.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores\n`);
console.log('| program | triangles | whole build (GLB) | builder kernel stage | glTF writing | manifold-3d direct | builder/kernel (CPU) | target |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.label} | ${r.triangles.toLocaleString('en')} | ${ms(r.whole)} | ${ms(r.builder)} | ${ms(r.writer)} | ${ms(r.kernel)} | ${(r.builder.cpu / r.kernel.cpu).toFixed(2)}× | ≤ 1 s, ≤ 1.2× |`);
}
