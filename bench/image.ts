/**
 * Image benchmark, one run:
 *   1. Seconds per 512×512 image: Shenbi's diffusion engine (tokenize, text encoder, UNet steps
 *      under Euler, VAE decode, PNG) vs the same ONNX graphs driven by a minimal direct
 *      onnxruntime-node loop (same session options, same step count, PNG by sharp). Target: ratio
 *      ≤ 1.05. Measured on a random-weight fixture at the real latent size (64×64, text width
 *      1024) and, when SHENBI_DIFFUSION_MODEL names a real export folder (e.g. SD-Turbo), on it too.
 *   2. OCR of one rendered English page: Shenbi's OCR engine (tesseract.js) vs Debian's `tesseract`
 *      CLI on the same PNG (needs `apt-get install tesseract-ocr`).
 * Run: npm run bench:image   (env: RUNS, STEPS, SHENBI_DIFFUSION_MODEL)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { ClipTokenizer } from '../src/engines/diffusion/clip-tokenizer.ts';
import { diffusionSessionOptions, generateDiffusionImage, releaseDiffusionSessions } from '../src/engines/diffusion/index.ts';
import { closeOcr, recognizeText } from '../src/engines/ocr/tesseract.ts';
import { writeTinySd } from '../test/fixtures/diffusion/build-tiny-sd.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const STEPS = Number(process.env.STEPS ?? 1);
const PROMPT = 'a photo of a red cat on the mat';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'shenbi-bench-image-'));

/** The reference: what someone would write by hand against the published graph names (Euler, trailing spacing). */
async function directLoop(modelDir: string): Promise<() => Promise<Buffer>> {
  const options = diffusionSessionOptions();
  const open = (part: string) => ort.InferenceSession.create(join(modelDir, part, 'model.onnx'), options);
  const [text, unet, vae] = [await open('text_encoder'), await open('unet'), await open('vae_decoder')];
  const ids = (await ClipTokenizer.fromDir(join(modelDir, 'tokenizer'))).encode(PROMPT).ids;
  const betas = Array.from({ length: 1000 }, (_, t) => (Math.sqrt(0.00085) + (t / 999) * (Math.sqrt(0.012) - Math.sqrt(0.00085))) ** 2);
  const alphas: number[] = [];
  betas.reduce((p, b) => (alphas.push(p * (1 - b)), p * (1 - b)), 1);
  const timesteps = Array.from({ length: STEPS }, (_, i) => Math.round(1000 - (i * 1000) / STEPS) - 1);
  const sigmas = [...timesteps.map((t) => Math.sqrt((1 - alphas[t]!) / alphas[t]!)), 0];
  const tsType = unet.inputMetadata.find((m) => m.name === 'timestep');
  const int64 = !tsType?.isTensor || tsType.type === 'int64';
  return async () => {
    const { last_hidden_state } = await text.run({ input_ids: new ort.Tensor('int32', ids, [1, 77]) });
    const n = 4 * 64 * 64;
    let x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random()) * sigmas[0]!;
    for (let s = 0; s < STEPS; s++) {
      const scale = 1 / Math.sqrt(sigmas[s]! ** 2 + 1);
      const input = x.map((v) => v * scale);
      const timestep = int64 ? new ort.Tensor('int64', BigInt64Array.of(BigInt(timesteps[s]!)), [1]) : new ort.Tensor('float32', Float32Array.of(timesteps[s]!), [1]);
      const { out_sample } = await unet.run({ sample: new ort.Tensor('float32', input, [1, 4, 64, 64]), timestep, encoder_hidden_states: last_hidden_state! });
      const eps = out_sample!.data as Float32Array;
      const dt = sigmas[s + 1]! - sigmas[s]!;
      x = x.map((v, i) => v + eps[i]! * dt);
    }
    const { sample } = await vae.run({ latent_sample: new ort.Tensor('float32', x.map((v) => v / 0.18215), [1, 4, 64, 64]) });
    const px = sample!.data as Float32Array;
    const rgb = Buffer.alloc(3 * 512 * 512);
    for (let i = 0; i < 512 * 512; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = Math.max(0, Math.min(255, Math.round((px[c * 512 * 512 + i]! / 2 + 0.5) * 255)));
    return sharp(rgb, { raw: { width: 512, height: 512, channels: 3 } }).png().toBuffer();
  };
}

async function diffusionRow(label: string, modelDir: string): Promise<string> {
  const ours = async () => (await generateDiffusionImage({ modelDir, prompt: PROMPT, width: 512, height: 512, steps: STEPS, scheduler: 'euler', guidanceScale: 0, seed: 1 })).png;
  const theirs = await directLoop(modelDir);
  await ours();
  await theirs(); // warm: sessions loaded, first-run allocations done
  const a: number[] = [];
  const b: number[] = [];
  // Interleaved, so machine noise hits both alike.
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await ours();
    a.push(performance.now() - t);
    t = performance.now();
    await theirs();
    b.push(performance.now() - t);
  }
  await releaseDiffusionSessions();
  return `| 512×512, ${STEPS} Euler step(s): ${label} | ${(median(a) / 1000).toFixed(3)} s | ${(median(b) / 1000).toFixed(3)} s | ${(median(a) / median(b)).toFixed(3)}× | ≤ 1.05× |`;
}

const rows: string[] = [];
const fixture = join(dir, 'tiny-sd-512');
await writeTinySd(fixture, { hidden: 1024, channels: 64 });
rows.push(await diffusionRow('random-weight fixture (64×64 latents)', fixture));
if (process.env.SHENBI_DIFFUSION_MODEL) rows.push(await diffusionRow(process.env.SHENBI_DIFFUSION_MODEL, process.env.SHENBI_DIFFUSION_MODEL));

// OCR: one page of English text rendered by sharp (SVG), the same PNG to both engines.
const lines = ['The quick brown fox jumps over the lazy dog.', 'Shenbi renders posters, covers and cards offline.', 'Pack my box with five dozen liquor jugs.', 'Seed 42 gives the same picture every time.'];
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="400"><rect width="100%" height="100%" fill="white"/>${lines.map((l, i) => `<text x="40" y="${80 + i * 80}" font-family="DejaVu Sans" font-size="36" fill="black">${l}</text>`).join('')}</svg>`;
const page = await sharp(Buffer.from(svg)).png().toBuffer();
const pagePath = join(dir, 'page.png');
writeFileSync(pagePath, page);
await recognizeText(page, { languages: ['eng'] }); // warm: worker and traineddata loaded
const oursOcr: number[] = [];
let ourText = '';
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  ourText = (await recognizeText(page, { languages: ['eng'] })).text;
  oursOcr.push(performance.now() - t);
}
await closeOcr();
const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;
const cliOcr: number[] = [];
let cliText = '';
if (hasTesseract) {
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    cliText = execFileSync('tesseract', [pagePath, '-', '-l', 'eng'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
    cliOcr.push(performance.now() - t);
  }
}
rmSync(dir, { recursive: true, force: true });

const exact = (text: string) => lines.filter((l) => text.includes(l)).length;
const f = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
console.log(`median of ${RUNS}; ${ort.env.versions?.common ? `onnxruntime ${ort.env.versions.common}` : 'onnxruntime-node'}; intra-op threads = ${diffusionSessionOptions().intraOpNumThreads}\n`);
console.log('| measure | Shenbi | reference | ratio | target |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
if (hasTesseract) console.log(`| OCR 1200×400 English page (${exact(ourText)}/${lines.length} vs ${exact(cliText)}/${lines.length} lines exact): tesseract.js vs tesseract CLI | ${f(median(oursOcr))} | ${f(median(cliOcr))} | ${(median(oursOcr) / median(cliOcr)).toFixed(2)}× | – |`);
else console.log(`| OCR 1200×400 English page (tesseract CLI not installed: apt-get install tesseract-ocr) | ${f(median(oursOcr))} | – | – | – |`);
