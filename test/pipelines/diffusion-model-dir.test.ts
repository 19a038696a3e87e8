import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { LOCAL_CALLER } from '../../src/core/job-caller.ts';
import { pipelineForTask } from '../../src/pipelines/task-pipelines.ts';
import { createDiffusionModelResolver } from '../../src/pipelines/steps/image/diffusion-model-dir.ts';

const root = await mkdtemp(join(tmpdir(), 'shenbi-sd-dirs-'));
after(() => rm(root, { recursive: true, force: true }));
const code = (c: string) => (error: unknown) => error instanceof ShenbiError && error.code === c;

test('diffusion models resolve by name in the models folder, or by a path inside the models folder or a media root', async () => {
  const modelsDir = join(root, 'models');
  const media = join(root, 'media');
  const elsewhere = join(root, 'elsewhere');
  for (const d of [join(modelsDir, 'sd-turbo'), join(media, 'my-sd'), join(elsewhere, 'sd')]) await mkdir(d, { recursive: true });
  const resolver = createDiffusionModelResolver({ modelsDir, mediaRoots: [media] });
  const resolve = (model: string) => resolver(model, LOCAL_CALLER);
  assert.equal((await resolve('sd-turbo')).dir, join(modelsDir, 'sd-turbo'));
  assert.equal((await resolve(join(media, 'my-sd'))).name, join(media, 'my-sd'));
  await assert.rejects(resolve('not-installed'), code('MODEL_NOT_INSTALLED'));
  await assert.rejects(resolve(join(media, 'missing')), code('MODEL_NOT_INSTALLED'));
  await assert.rejects(resolve(join(elsewhere, 'sd')), code('PATH_NOT_ALLOWED'));
});

test('a job of an API key names installed diffusion models only: any folder path is refused alike, existing or not', async () => {
  const modelsDir = join(root, 'models-keyed');
  const media = join(root, 'media-keyed');
  for (const d of [join(modelsDir, 'sd-turbo'), join(media, 'my-sd')]) await mkdir(d, { recursive: true });
  const resolver = createDiffusionModelResolver({ modelsDir, mediaRoots: [media] });
  const keyed = { tenant: 't1', localFiles: false };
  assert.equal((await resolver('sd-turbo', keyed)).dir, join(modelsDir, 'sd-turbo'));
  const refusal = async (model: string) => {
    const error = await resolver(model, keyed).then(() => assert.fail(`${model} was accepted`), (e: unknown) => e as ShenbiError);
    assert.equal(error.code, 'PATH_NOT_ALLOWED', model);
    return JSON.stringify({ message: error.message, details: error.details });
  };
  const answers = new Set([await refusal(join(media, 'my-sd')), await refusal(join(media, 'missing')), await refusal(join(modelsDir, 'sd-turbo')), await refusal('./x/../sd-turbo')]);
  assert.equal(answers.size, 1, [...answers].join('\n'));
});

test('the image task routes provider:model to the cloud, other model names to local diffusion, none to the card engine', () => {
  const uses = (input: Record<string, unknown>) => pipelineForTask('image', { prompt: 'a red cat', ...input }).steps.map((s) => s.uses);
  assert.deepEqual(uses({ model: 'openai:gpt-image-1' }), ['image.cloud']);
  assert.deepEqual(uses({ model: 'sd-turbo', width: 512, height: 512, image: 'art_x', strength: 0.6 }), ['image.diffusion']);
  assert.deepEqual(uses({}), ['image.card']);
  const step = pipelineForTask('image', { prompt: 'a red cat', model: 'sd-turbo', steps: 2, strength: 0.6, image: 'art_x' }).steps[0]!;
  assert.equal(step.with?.strength, 0.6);
  assert.equal(step.with?.image, 'art_x');
});
