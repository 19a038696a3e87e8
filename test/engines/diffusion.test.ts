import assert from 'node:assert/strict';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { ClipTokenizer } from '../../src/engines/diffusion/clip-tokenizer.ts';
import { eulerScheduler } from '../../src/engines/diffusion/euler-scheduler.ts';
import { fromHalf, toHalf } from '../../src/engines/diffusion/float16.ts';
import { generateDiffusionImage, loadedDiffusionModels, releaseDiffusionSessions, setDiffusionIdleRelease } from '../../src/engines/diffusion/index.ts';
import { lcmScheduler } from '../../src/engines/diffusion/lcm-scheduler.ts';
import { schedulerConfigSchema } from '../../src/engines/diffusion/noise-schedule.ts';
import { makeTinySd } from '../fixtures/diffusion/build-tiny-sd.ts';

const code = (c: string) => (error: unknown) => error instanceof ShenbiError && error.code === c;

describe('diffusion engine (tiny random-weight SD in the optimum ONNX layout)', () => {
  let model: { dir: string; cleanup: () => Promise<void> };
  let lcm: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    model = await makeTinySd();
    lcm = await makeTinySd({ scheduler: 'lcm', timestepType: 'float32' });
  });
  after(async () => {
    setDiffusionIdleRelease(5 * 60_000);
    await releaseDiffusionSessions();
    await model.cleanup();
    await lcm.cleanup();
  });

  it('tokenizes like CLIP: lower case, merged words, start/end tokens, pad token, truncation flag', async () => {
    const tokenizer = await ClipTokenizer.fromDir(join(model.dir, 'tokenizer'));
    const vocab = JSON.parse(await (await import('node:fs/promises')).readFile(join(model.dir, 'tokenizer', 'vocab.json'), 'utf8')) as Record<string, number>;
    const { ids, truncated } = tokenizer.encode('  A   Photo of a RED cat! ');
    assert.equal(ids.length, 77);
    assert.deepEqual([...ids.slice(0, 8)], [vocab['<|startoftext|>'], vocab['a</w>'], vocab['photo</w>'], vocab['of</w>'], vocab['a</w>'], vocab['red</w>'], vocab['cat</w>'], vocab['!</w>']]);
    assert.equal(ids[8], vocab['<|endoftext|>']);
    assert.equal(ids[9], vocab['!'], 'padded with the configured pad token');
    assert.equal(truncated, false);
    // An unmerged word falls back to its letters; the last one carries </w>.
    assert.deepEqual([...tokenizer.encode('zq').ids.slice(1, 3)], [vocab['z'], vocab['q</w>']]);
    const long = tokenizer.encode(Array.from({ length: 80 }, () => 'cat').join(' '));
    assert.equal(long.truncated, true);
    assert.equal(long.ids[76], vocab['<|endoftext|>']);
  });

  it('schedules SD-Turbo one-step Euler at t=999 with σ≈14.6146, and LCM at the teacher timesteps', () => {
    const turbo = eulerScheduler(schedulerConfigSchema.parse({ timestep_spacing: 'trailing' }), 1);
    assert.deepEqual(turbo.timesteps, [999]);
    assert.ok(Math.abs(turbo.initNoiseSigma - 14.6146) < 1e-3, String(turbo.initNoiseSigma));
    assert.deepEqual(eulerScheduler(schedulerConfigSchema.parse({}), 4).timesteps, [999, 749, 499, 249]);
    assert.deepEqual(eulerScheduler(schedulerConfigSchema.parse({}), 4, 0.5).timesteps, [499, 249]);
    assert.deepEqual(lcmScheduler(schedulerConfigSchema.parse({}), 4).timesteps, [999, 759, 499, 259]);
  });

  it('converts float16 both ways', () => {
    const values = Float32Array.of(0, 1, -2.5, 65504, 1e-7, 0.1);
    const back = fromHalf(toHalf(values));
    assert.deepEqual([...back.slice(0, 4)], [0, 1, -2.5, 65504]);
    assert.ok(Math.abs(back[5]! - 0.1) < 1e-4);
  });

  it('text-to-image: a PNG of the asked size; same seed, same bytes; another seed, other bytes', async () => {
    const progress: number[] = [];
    const a = await generateDiffusionImage({ modelDir: model.dir, prompt: 'a photo of a red cat', width: 320, height: 256, seed: 7, steps: 2 }, { onProgress: (p) => progress.push(p.step / p.total) });
    const meta = await sharp(a.png).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, 320);
    assert.equal(meta.height, 256);
    assert.deepEqual(progress, [0.5, 1]);
    assert.deepEqual(a.timesteps, [999, 499]);
    const again = await generateDiffusionImage({ modelDir: model.dir, prompt: 'a photo of a red cat', width: 320, height: 256, seed: 7, steps: 2 });
    assert.ok(a.png.equals(again.png), 'same seed gives identical bytes');
    const other = await generateDiffusionImage({ modelDir: model.dir, prompt: 'a photo of a red cat', width: 320, height: 256, seed: 8, steps: 2 });
    assert.ok(!a.png.equals(other.png));
    const prompt = await generateDiffusionImage({ modelDir: model.dir, prompt: 'a blue house', width: 320, height: 256, seed: 7, steps: 2 });
    assert.ok(!a.png.equals(prompt.png), 'the prompt reaches the UNet');
  });

  it('classifier-free guidance with a negative prompt changes the image; guidance ≤ 1 does not run it', async () => {
    const base = { modelDir: model.dir, prompt: 'a red cat', width: 256, height: 256, seed: 3 };
    const plain = await generateDiffusionImage({ ...base, guidanceScale: 1 });
    const unguided = await generateDiffusionImage({ ...base, guidanceScale: 0, negativePrompt: 'blurry' });
    assert.ok(plain.png.equals(unguided.png), 'no CFG: the negative prompt is not used');
    const guided = await generateDiffusionImage({ ...base, guidanceScale: 4, negativePrompt: 'blurry' });
    const guidedOther = await generateDiffusionImage({ ...base, guidanceScale: 4, negativePrompt: 'a dog' });
    assert.ok(!guided.png.equals(plain.png));
    assert.ok(!guided.png.equals(guidedOther.png));
    assert.equal(guided.guidanceScale, 4);
  });

  it('image-to-image starts from the picture: differs from text-to-image and from another picture', async () => {
    const picture = (r: number) => sharp({ create: { width: 300, height: 200, channels: 3, background: { r, g: 40, b: 200 } } }).png().toBuffer();
    const base = { modelDir: model.dir, prompt: 'a red cat', width: 256, height: 256, seed: 5 };
    const txt = await generateDiffusionImage({ ...base, steps: 2 });
    const img = await generateDiffusionImage({ ...base, initImage: await picture(250), strength: 0.5 });
    const img2 = await generateDiffusionImage({ ...base, initImage: await picture(0), strength: 0.5 });
    assert.deepEqual(img.timesteps, [499]);
    assert.equal((await sharp(img.png).metadata()).width, 256);
    assert.ok(!img.png.equals(txt.png));
    assert.ok(!img.png.equals(img2.png));
    await assert.rejects(generateDiffusionImage({ ...base, initImage: Buffer.from('not an image'), strength: 0.5 }), code('MEDIA_INVALID'));
    await assert.rejects(generateDiffusionImage({ ...base, initImage: await picture(1), strength: 0.2, steps: 2 }), code('INVALID_INPUT'));
  });

  it('runs an LCM export: timestep_cond from the guidance scale, float timestep, 4 steps', async () => {
    const a = await generateDiffusionImage({ modelDir: lcm.dir, prompt: 'a dog on the mat', width: 256, height: 256, seed: 1 });
    assert.equal(a.scheduler, 'lcm');
    assert.deepEqual(a.timesteps, [999, 759, 499, 259]);
    assert.equal(a.guidanceScale, 8);
    const b = await generateDiffusionImage({ modelDir: lcm.dir, prompt: 'a dog on the mat', width: 256, height: 256, seed: 1, guidanceScale: 2 });
    assert.ok(!a.png.equals(b.png), 'the embedded guidance scale reaches the UNet');
  });

  it('refuses sizes that are not multiples of 64 in 256–1024, naming the allowed ones', async () => {
    for (const [width, height] of [[500, 512], [192, 256], [1088, 512]] as const) {
      await assert.rejects(generateDiffusionImage({ modelDir: model.dir, prompt: 'x', width, height }), (error: unknown) => {
        assert.ok(error instanceof ShenbiError && error.code === 'INVALID_INPUT');
        assert.match(error.message, /256, 320, 384/);
        return true;
      });
    }
  });

  it('a missing part is MODEL_NOT_INSTALLED; a corrupt or wrong graph is MODEL_INVALID', async () => {
    const broken = await makeTinySd();
    try {
      await rm(join(broken.dir, 'unet', 'model.onnx'));
      await assert.rejects(generateDiffusionImage({ modelDir: broken.dir, prompt: 'a cat', width: 256, height: 256 }), (error: unknown) => {
        assert.ok(error instanceof ShenbiError && error.code === 'MODEL_NOT_INSTALLED');
        assert.match(error.message, /unet[/\\]model\.onnx/);
        return true;
      });
      await writeFile(join(broken.dir, 'unet', 'model.onnx'), Buffer.from('this is not protobuf at all'));
      await assert.rejects(generateDiffusionImage({ modelDir: broken.dir, prompt: 'a cat', width: 256, height: 256 }), code('MODEL_INVALID'));
      await copyFile(join(broken.dir, 'vae_decoder', 'model.onnx'), join(broken.dir, 'unet', 'model.onnx'));
      await assert.rejects(generateDiffusionImage({ modelDir: broken.dir, prompt: 'a cat', width: 256, height: 256 }), (error: unknown) => {
        assert.ok(error instanceof ShenbiError && error.code === 'MODEL_INVALID');
        assert.match(error.message, /lacks input sample.*output out_sample|lacks input sample/);
        return true;
      });
      await assert.rejects(generateDiffusionImage({ modelDir: join(broken.dir, 'nowhere'), prompt: 'a cat', width: 256, height: 256 }), code('MODEL_NOT_INSTALLED'));
    } finally {
      await broken.cleanup();
    }
  });

  it('stops between steps when cancelled, and releases idle sessions', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      generateDiffusionImage({ modelDir: model.dir, prompt: 'a cat', width: 256, height: 256, steps: 4 }, {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.step);
          if (p.step === 1) controller.abort();
        },
      }),
      (error: unknown) => error instanceof Error && error.name === 'AbortError',
    );
    assert.deepEqual(seen, [1], 'no step ran after the abort');
    await releaseDiffusionSessions();
    assert.equal(loadedDiffusionModels(), 0);
    setDiffusionIdleRelease(20);
    await generateDiffusionImage({ modelDir: model.dir, prompt: 'a cat', width: 256, height: 256 });
    assert.equal(loadedDiffusionModels(), 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(loadedDiffusionModels(), 0, 'idle sessions were released');
  });
});
