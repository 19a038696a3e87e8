import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ACTIONS } from '../../src/engines/motion/action-plan.ts';
import type { MotionMetrics } from '../../src/engines/motion/clip.ts';
import { jointPositions, synthesizeMotion } from '../../src/engines/motion/synth/index.ts';
import { parseMotionPrompt } from '../../src/engines/motion/plan/parse-prompt.ts';
import { Shenbi } from '../../src/shenbi.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { openAIChat, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * `motion.generate` through the job runner, in-process: the rule-based parser (offline), a
 * stored plan rendered again, a provider text model (a 127.0.0.1 server speaking the OpenAI
 * chat protocol) expanding the prompt and writing the plan, the tiny stories260K GGUF that
 * cannot, imported HumanML3D joints, and bad input.
 */

let home: string;
let media: string;
let shenbi: Shenbi;
let server: FakeServer;
/** What the fake provider model answers: the expansion (free text) or a plan (a JSON-schema response), by call. */
let reply: (request: { json: boolean; call: number }) => string = () => '';
let planCalls = 0;

const PROMPT = 'walk forward 3 meters, turn left 90 degrees, then wave the right hand';

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-motion-'));
  media = await mkdtemp(join(tmpdir(), 'shenbi-motion-media-'));
  server = await startFakeServer((req, res) => {
    const json = req.body.response_format !== undefined;
    openAIChat(res, 'motion-writer', reply({ json, call: json ? planCalls++ : 0 }));
  });
  process.env.FAKE_MOTION_KEY = 'sk-motion';
  shenbi = await Shenbi.open({
    overrides: { home, mediaRoots: [media], providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_MOTION_KEY' }] },
    env: process.env,
  });
});
after(async () => {
  delete process.env.FAKE_MOTION_KEY;
  await shenbi.close();
  await server.close();
  await rm(home, { recursive: true, force: true });
  await rm(media, { recursive: true, force: true });
});

function completed(job: JobRecord): Record<string, unknown> {
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  return job.outputs as Record<string, unknown>;
}

async function failureOf(input: Record<string, unknown>): Promise<{ code: string; message: string }> {
  try {
    const job = await shenbi.generate('motion', input);
    assert.equal(job.status, 'failed', JSON.stringify(job.outputs));
    return job.error as { code: string; message: string };
  } catch (error) {
    return error as { code: string; message: string };
  }
}

function glbJson(bytes: Buffer): Record<string, unknown> {
  assert.equal(bytes.readUInt32LE(0), 0x46546c67, 'GLB magic');
  return JSON.parse(bytes.toString('utf8', 20, 20 + bytes.readUInt32LE(12))) as Record<string, unknown>;
}

let storedPlanId: string;

test('offline, rule-based: a labeled GLB with the BVH beside it and the plan as their parent; metrics in outputs and provenance', async () => {
  const outputs = completed(await shenbi.generate('motion', { prompt: PROMPT, seed: 3 }));
  assert.equal(outputs.source, 'rules');
  assert.equal(outputs.warnings, undefined, 'nothing to warn about');

  const { artifact: plan, bytes: planBytes } = await shenbi.store.artifacts.read(String(outputs.plan));
  assert.equal(plan.kind, 'json');
  const storedPlan = JSON.parse(planBytes.toString('utf8')) as { actions: Array<{ action: string; params: Record<string, unknown> }> };
  assert.deepEqual(storedPlan.actions.filter((a) => a.action !== 'idle').map((a) => a.action), ['walk', 'turn', 'wave']);
  assert.equal(storedPlan.actions.find((a) => a.action === 'wave')?.params.hand, 'right');

  const { artifact: motion, bytes: glb } = await shenbi.store.artifacts.read(String(outputs.motion));
  assert.equal(motion.kind, 'motion');
  assert.equal(motion.mimeType, 'model/gltf-binary');
  assert.match(motion.name ?? '', /\.glb$/);
  const json = glbJson(glb);
  assert.ok((json.animations as unknown[]).length === 1, 'one animation');
  assert.ok((json.skins as unknown[]).length >= 1, 'a skinned mannequin');
  assert.ok((json.asset as { extras?: Record<string, unknown> }).extras?.aigcExplicitLabel !== undefined, 'the glTF carries the visible-label wording like a 3D model');

  const { artifact: bvh, bytes: bvhBytes } = await shenbi.store.artifacts.read(String(outputs.bvh));
  assert.equal(bvh.kind, 'motion');
  assert.equal(bvh.mimeType, 'application/x-bvh');
  assert.match(bvhBytes.toString('utf8'), /HIERARCHY[\s\S]*ROOT Hips[\s\S]*MOTION\s+Frames:/);

  for (const artifact of [motion, bvh]) {
    assert.ok(artifact.provenance.parents.includes(plan.id), `${artifact.name} names the plan as its parent`);
    assert.ok(artifact.labels.some((l) => l.type === 'aigc-implicit'), `${artifact.name} is labeled`);
  }
  const metrics = outputs.metrics as MotionMetrics;
  for (const key of ['footSkateCmPerS', 'floatCm', 'penetrationCm', 'jerk'] as const) assert.ok(Number.isFinite(metrics[key]), key);
  assert.deepEqual((motion.provenance.parameters as { metrics: unknown }).metrics, metrics);
  assert.ok(typeof outputs.duration === 'number' && outputs.duration > 3, `duration ${outputs.duration}`);
  storedPlanId = plan.id;
});

test('format=bvh: the motion is the BVH; plan=art_… renders a stored plan again, naming it as a parent', async () => {
  assert.ok(storedPlanId, 'runs after the first test');
  const outputs = completed(await shenbi.generate('motion', { plan: storedPlanId, format: 'bvh', fps: 24 }));
  assert.equal(outputs.source, 'plan');
  assert.equal(outputs.bvh, undefined);
  const { artifact, bytes } = await shenbi.store.artifacts.read(String(outputs.motion));
  assert.equal(artifact.mimeType, 'application/x-bvh');
  assert.match(bytes.toString('utf8'), /Frame Time:\s+0\.04166/);
  const { artifact: plan } = await shenbi.store.artifacts.read(String(outputs.plan));
  assert.ok(plan.provenance.parents.includes(storedPlanId));
  // An inline plan (as `--set plan={…}` gives it) works the same.
  const inline = completed(await shenbi.generate('motion', { plan: { actions: [{ action: 'jump' }] }, format: 'bvh' }));
  assert.equal(inline.source, 'plan');
});

test('a provider text model (Action-GPT): expansion, an invalid plan sent back, then a valid one; the plan keeps the descriptions', async () => {
  planCalls = 0;
  reply = ({ json, call }) => {
    if (!json) return 'The legs stride forward.\nThe body turns left.\nThe right hand waves above the shoulder.';
    if (call === 0) return JSON.stringify({ actions: [{ action: 'moonwalk', layer: 'full', params: {} }] });
    return JSON.stringify({ actions: [{ action: 'walk', layer: 'full', params: { distance: 2 } }, { action: 'wave', layer: 'upper', params: { hand: 'right' } }] });
  };
  const before = server.requests.length;
  const outputs = completed(await shenbi.generate('motion', { prompt: 'a man strolls and greets a friend', model: 'fake:motion-writer' }));
  assert.equal(server.requests.length - before, 3, 'the expansion and two plan attempts');
  assert.equal(outputs.source, 'text-model');
  const { artifact, bytes } = await shenbi.store.artifacts.read(String(outputs.plan));
  assert.equal(artifact.provenance.model?.name, 'fake:motion-writer');
  const plan = JSON.parse(bytes.toString('utf8')) as { descriptions: string[]; actions: Array<{ action: string }> };
  assert.deepEqual(plan.descriptions, ['The legs stride forward.', 'The body turns left.', 'The right hand waves above the shoulder.']);
  assert.deepEqual(plan.actions.map((a) => a.action).filter((a) => a !== 'idle'), ['walk', 'wave']);
  const second = server.requests[before + 2]!;
  assert.equal((second.body.response_format as { type: string }).type, 'json_schema');
  assert.match(JSON.stringify(second.body.messages), /moonwalk/);
});

test('stories260K (a real GGUF through node-llama-cpp): the rule-based parser makes the plan, with a warning in provenance', async () => {
  await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
  const outputs = completed(await shenbi.generate('motion', { prompt: '向前走三步然后挥手', model: 'stories260k', format: 'bvh' }));
  assert.equal(outputs.source, 'rules');
  const { artifact } = await shenbi.store.artifacts.read(String(outputs.motion));
  const warnings = (artifact.provenance.parameters as { warnings?: string[] }).warnings ?? [];
  assert.ok(warnings.some((w) => /rule-based parser/.test(w)), JSON.stringify(warnings));
  assert.deepEqual(outputs.warnings, warnings, 'the warnings are outputs too (the CLI and API show them)');
  assert.equal(artifact.provenance.model?.name, 'stories260k');
});

test('joints: a HumanML3D JSON array is imported instead of synthesised, measured and written as GLB + BVH', async () => {
  const { clip } = synthesizeMotion(parseMotionPrompt('walk forward 2 m').plan, { fps: 20, seed: 0 });
  const positions = jointPositions(clip);
  const frames = Array.from({ length: clip.frameCount }, (_, f) => Array.from({ length: 22 }, (_, j) => [0, 1, 2].map((k) => positions[(f * 22 + j) * 3 + k]!)));
  const file = join(media, 'walk.json');
  await writeFile(file, JSON.stringify(frames));
  const outputs = completed(await shenbi.generate('motion', { joints: file, fps: 20 }));
  assert.equal(outputs.source, 'humanml3d');
  assert.equal(outputs.plan, undefined);
  assert.ok(Math.abs(Number(outputs.duration) - clip.frameCount / 20) < 1e-6);
  const { artifact } = await shenbi.store.artifacts.read(String(outputs.bvh));
  assert.equal(artifact.mimeType, 'application/x-bvh');
  assert.equal((artifact.provenance.parameters as { source: string }).source, 'humanml3d');
});

test('bad input: clear errors with stable codes, never a crash', async () => {
  const nothing = await failureOf({ prompt: 'hello world' });
  assert.equal(nothing.code, 'INVALID_INPUT');
  for (const action of ACTIONS) assert.ok(nothing.message.includes(action), `the vocabulary lists ${action}`);
  assert.equal((await failureOf({ prompt: 'walk 10 km' })).code, 'INVALID_INPUT');
  assert.equal((await failureOf({ prompt: 'dance for 10 minutes' })).code, 'INVALID_INPUT');
  // In range for the plan, impossible for a body: the synthesiser refuses it.
  assert.equal((await failureOf({ prompt: 'walk 100 m in 1 second' })).code, 'INVALID_INPUT');
  assert.equal((await failureOf({ plan: '{"actions": []}' })).code, 'INVALID_INPUT');
  assert.equal((await failureOf({ plan: '{not json' })).code, 'INVALID_INPUT');
  assert.equal((await failureOf({ prompt: 'walk', fps: 10 })).code, 'INVALID_INPUT');
  assert.equal((await failureOf({ prompt: 'walk', format: 'fbx' })).code, 'INVALID_INPUT');
  assert.equal((await failureOf({})).code, 'INVALID_INPUT');
  assert.equal((await failureOf({ prompt: 'walk', rig: storedPlanId, format: 'bvh' })).code, 'INVALID_INPUT');
  // A JSON artifact is no rig: refused by the retargeter, not a crash.
  const rig = await failureOf({ prompt: 'walk', rig: storedPlanId });
  assert.ok(['MEDIA_INVALID', 'INVALID_INPUT'].includes(rig.code), `${rig.code}: ${rig.message}`);
  const npy = join(media, 'broken.npy');
  await writeFile(npy, Buffer.from('\x93NUMPY\x01\x00garbage'));
  const broken = await failureOf({ joints: npy });
  assert.ok(['MEDIA_INVALID', 'INVALID_INPUT'].includes(broken.code), `${broken.code}: ${broken.message}`);
});
