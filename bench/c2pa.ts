/**
 * C2PA signing benchmark, one process:
 *   - cold start: wasm instantiation + key load + the first signature;
 *   - warm signC2pa (median of RUNS) on a 1920×1080 PNG (a rendered card, and noise: the
 *     worst case for size), a 1080p JPEG, and a 60 s 720p H.264+AAC MP4;
 *   - readC2pa (full validation) of the same files;
 *   - the whole governance chain on a 1080p PNG: explicit mark → implicit AIGC/XMP → C2PA.
 * Target: labeling + signing a 1080p PNG within 200 ms. Run: node --import tsx bench/c2pa.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initSigningKeys, loadSigningKeys } from '../src/governance/c2pa/keys.ts';
import { c2paSignHook } from '../src/governance/c2pa/hook.ts';
import { readC2pa } from '../src/governance/c2pa/read.ts';
import { signC2pa, warmUpC2pa } from '../src/governance/c2pa/sign.ts';
import { explicitLabelHook } from '../src/governance/explicit/hook.ts';
import { composeGovernance } from '../src/governance/hook.ts';
import { implicitLabelHook } from '../src/governance/implicit/index.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'shenbi-bench-c2pa-'));
const generator = { name: 'shenbi-bench', version: '0' };

try {
  await initSigningKeys(join(dir, 'keys'));
  const card = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#b22222' } })
    .composite([{ input: Buffer.from('<svg width="1920" height="1080"><text x="200" y="600" font-size="200" fill="gold">Happy New Year</text></svg>') }])
    .png()
    .toBuffer();
  const noise = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
  const jpeg = await sharp(noise).jpeg({ quality: 90 }).toBuffer();
  const mp4Path = join(dir, 'sixty.mp4');
  let t = performance.now();
  const ff = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-shortest', mp4Path]);
  if (ff.status !== 0) throw new Error(ff.stderr.toString());
  const encodeMs = performance.now() - t;
  const mp4 = readFileSync(mp4Path);

  t = performance.now();
  const keys = await loadSigningKeys(join(dir, 'keys'));
  const loadMs = performance.now() - t;
  t = performance.now();
  await warmUpC2pa(keys);
  const warmMs = performance.now() - t;
  t = performance.now();
  const first = await signC2pa(card, 'image/png', { keys, claimGenerator: generator });
  const firstMs = performance.now() - t;
  if (!first.signed) throw new Error('not signed');
  console.log(`key load ${loadMs.toFixed(1)} ms; wasm init + warm-up ${warmMs.toFixed(0)} ms; then the first 1080p PNG: ${firstMs.toFixed(0)} ms`);
  console.log(`60 s 720p MP4 encode (ffmpeg ultrafast): ${(encodeMs / 1000).toFixed(1)} s\n`);

  console.log('| file | size | signC2pa median | readC2pa median | state |');
  console.log('|---|---|---|---|---|');
  for (const [name, bytes, mime] of [
    ['1080p PNG, rendered card', card, 'image/png'],
    ['1080p PNG, noise', noise, 'image/png'],
    ['1080p JPEG q90', jpeg, 'image/jpeg'],
    ['60 s 720p MP4 (faststart)', mp4, 'video/mp4'],
  ] as const) {
    const signTimes: number[] = [];
    const readTimes: number[] = [];
    let state = '';
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      const r = await signC2pa(bytes, mime, { keys, title: name, claimGenerator: generator });
      signTimes.push(performance.now() - t);
      if (!r.signed) throw new Error('not signed');
      t = performance.now();
      state = (await readC2pa(r.bytes, mime, { trustAnchors: [keys.caPem] })).state;
      readTimes.push(performance.now() - t);
    }
    console.log(`| ${name} | ${(bytes.byteLength / 1e6).toFixed(2)} MB | ${median(signTimes).toFixed(0)} ms | ${median(readTimes).toFixed(0)} ms | ${state} |`);
  }

  const now = new Date().toISOString();
  const chain = composeGovernance(explicitLabelHook(), implicitLabelHook({ producer: 'Shenbi' }), c2paSignHook({ keys, claimGenerator: generator }));
  const chainTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    await chain.review({
      id: `art_bench${i}`,
      kind: 'image',
      mimeType: 'image/png',
      bytes: card,
      name: 'card.png',
      provenance: { task: 'image', inputs: { prompt: 'card' }, engine: { id: 'bench', version: '0' }, model: null, parameters: {}, seed: 1, parents: [], timings: { startedAt: now, finishedAt: now, durationMs: 0 } },
    });
    chainTimes.push(performance.now() - t);
  }
  console.log(`\nexplicit + implicit + C2PA on the 1080p card PNG: median ${median(chainTimes).toFixed(0)} ms (runs: ${chainTimes.map((x) => x.toFixed(0)).join(', ')})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
