import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BVHLoader } from 'three/examples/jsm/loaders/BVHLoader.js';
import type { LabelRecord } from '../../src/core/artifact.ts';
import { writeBvh } from '../../src/engines/motion/formats/index.ts';
import { explicitLabelHook, modalityOf } from '../../src/governance/explicit/hook.ts';
import { composeGovernance, type ArtifactCandidate } from '../../src/governance/hook.ts';
import { embedImplicitLabel, implicitLabelHook, readImplicitLabels, sniffContainer } from '../../src/governance/implicit/index.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { bvhWorldPositions, gestureClip } from '../engines/motion-formats-helpers.ts';
import { assertAigcJson, payloadFor, PRODUCER, provenance } from './implicit-labels-helpers.ts';

/**
 * BVH's label carrier: the first End Site line (implicit/bvh.ts says why not a header comment).
 * The labeled file must still read, frame for frame, in three.js's BVHLoader, and keep the
 * two rules Blender's importer (io_anim_bvh read_bvh) imposes: the first word is HIERARCHY,
 * and every line after "Frame Time" is a frame of numbers.
 */

const BVH_MIME = 'application/x-bvh';
const WORDING = '本内容由人工智能生成 (AI-generated)';
const silent = { warn: () => {} };
const governance = composeGovernance(explicitLabelHook({ logger: silent }), implicitLabelHook({ producer: PRODUCER }));
const candidate = (bytes: Uint8Array, id = 'art_motion001'): ArtifactCandidate => ({ id, kind: 'motion' as ArtifactCandidate['kind'], mimeType: BVH_MIME, bytes, name: null, provenance });
const produceIdOf = (labels: readonly LabelRecord[]): string => String((labels.find((l) => l.type === 'aigc-implicit')?.value as { ProduceID?: string } | undefined)?.ProduceID);

function assertBlenderReadable(text: string): void {
  const lines = text.split(/\r?\n/).map((l) => l.trim().split(/\s+/).filter(Boolean)).filter((w) => w.length > 0);
  assert.equal(lines[0]![0]!.toLowerCase(), 'hierarchy', 'Blender: the first word is HIERARCHY');
  const frameTime = lines.findIndex((w) => w[0] === 'Frame' && w[1] === 'Time:');
  assert.ok(frameTime > 0);
  for (const words of lines.slice(frameTime + 1)) assert.ok(words.every((w) => Number.isFinite(Number(w))), `Blender: every line after Frame Time is numbers (${words.slice(0, 3).join(' ')}…)`);
  for (const words of lines.filter((w) => w[0] === 'End')) assert.equal(words[1], 'Site');
}

test('BVH: sniffed by its bytes, a 3D modality for the explicit labeler', () => {
  const bvh = new TextEncoder().encode(writeBvh(gestureClip(3)));
  assert.equal(sniffContainer(bvh), 'bvh');
  assert.equal(modalityOf({ kind: 'motion' as ArtifactCandidate['kind'], mimeType: BVH_MIME }), 'model3d');
});

test('BVH: governance writes the notice and the AIGC label on the first End Site; it reads back, verifies, and the motion is unchanged', async () => {
  const text = writeBvh(gestureClip());
  const decision = await governance.review(candidate(new TextEncoder().encode(text)));
  const out = new TextDecoder().decode(decision.bytes);
  assert.deepEqual(
    decision.labels.map((l) => [l.type, l.placement]),
    [['aigc-explicit', 'bvh-end-site'], ['aigc-implicit', 'bvh-end-site'], ['iptc-digital-source-type', 'bvh-end-site'], ['reproduction', 'bvh-end-site']],
  );
  const endSite = out.split('\n').find((l) => l.trim().startsWith('End Site'))!;
  assert.ok(endSite.includes(`End Site ${WORDING} AIGC=`), endSite);
  // Only that line changed.
  const before = text.split('\n');
  const after = out.split('\n');
  assert.equal(after.length, before.length);
  assert.deepEqual(after.filter((l, i) => l !== before[i]), [endSite]);

  const produceId = produceIdOf(decision.labels);
  const report = readImplicitLabels(decision.bytes);
  assert.equal(report.container, 'bvh');
  assert.equal(report.valid, true, report.problems.join('; '));
  assert.equal(report.labels.length, 1);
  assertAigcJson(report.labels[0]!.raw, produceId, 'bvh');
  assert.equal(report.reproduction?.seed, provenance.seed);
  assert.ok(report.digitalSourceType?.includes('trainedAlgorithmicMedia'));
  const verified = await verifyLabels(decision.bytes);
  assert.equal(verified.mimeType, BVH_MIME);
  assert.equal(verified.verdict, 'labeled', verified.problems.join('; '));
  assert.equal((await verifyLabels(decision.bytes, { require: ['implicit'] })).verdict, 'labeled');

  // Independent readers: three.js poses the same figure, and Blender's two rules hold.
  assert.deepEqual(bvhWorldPositions(out).positions, bvhWorldPositions(text).positions);
  assertBlenderReadable(out);
  const errors: unknown[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => void errors.push(args);
  try {
    new BVHLoader().parse(out);
  } finally {
    console.error = originalError;
  }
  assert.deepEqual(errors, [], 'BVHLoader reports nothing');

  // Labeling again replaces the label and the notice, never adds a second.
  const again = await governance.review(candidate(decision.bytes, 'art_motion002'));
  const againText = new TextDecoder().decode(again.bytes);
  assert.equal(readImplicitLabels(again.bytes).labels.length, 1);
  assert.equal(againText.split(WORDING).length, 2, 'one notice');
  assert.equal(readImplicitLabels(again.bytes).labels[0]!.label?.ProduceID, produceIdOf(again.labels));
  assert.notEqual(produceIdOf(again.labels), produceId);
});

test('BVH: non-ASCII in the reproduction record stays one word, and the JSON still parses', async () => {
  const text = writeBvh(gestureClip(2));
  const payload = payloadFor('art_motion003');
  const labeled = await embedImplicitLabel(new TextEncoder().encode(text), BVH_MIME, { ...payload, reproduction: { ...payload.reproduction, model: '动作 模型\u3000v1' } });
  const out = new TextDecoder().decode(labeled.bytes);
  assertBlenderReadable(out);
  assert.equal(readImplicitLabels(labeled.bytes).reproduction?.model, '动作 模型\u3000v1');
  assert.ok(/^[\x20-\x7e\n]*$/.test(out), 'the file stays ASCII');
});

test('an unlabeled BVH reads as unlabeled; a file that is not BVH is MEDIA_INVALID', async () => {
  const plain = new TextEncoder().encode(writeBvh(gestureClip(2)));
  const report = readImplicitLabels(plain, BVH_MIME);
  assert.equal(report.labels.length, 0);
  assert.equal(report.valid, false);
  assert.equal((await verifyLabels(plain)).verdict, 'unlabeled');
  await assert.rejects(embedImplicitLabel(new TextEncoder().encode('ROOT Hips\n{\n}\n'), BVH_MIME, payloadFor('art_bad')), { code: 'MEDIA_INVALID' });
  const noEndSite = 'HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 3 Zrotation Xrotation Yrotation\n}\nMOTION\nFrames: 1\nFrame Time: 0.033333\n0 0 0\n';
  await assert.rejects(embedImplicitLabel(new TextEncoder().encode(noEndSite), BVH_MIME, payloadFor('art_bad')), { code: 'MEDIA_INVALID' });
  await assert.rejects(governance.review(candidate(new TextEncoder().encode(noEndSite))), { code: 'MEDIA_INVALID' });
});
