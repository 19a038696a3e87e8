import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import type { LabelRecord } from '../../src/core/artifact.ts';
import { ShenbiError } from '../../src/core/errors.ts';
import { buildScene } from '../../src/engines/scene3d/build-scene.ts';
import { chooseBuiltIn } from '../../src/engines/scene3d/library/index.ts';
import { MODEL_MIME_TYPES } from '../../src/engines/scene3d/types.ts';
import { explicitLabelHook, modalityOf } from '../../src/governance/explicit/hook.ts';
import { composeGovernance, type ArtifactCandidate } from '../../src/governance/hook.ts';
import { embedImplicitLabel, implicitLabelHook, readImplicitLabels, sniffContainer } from '../../src/governance/implicit/index.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { readUsdz, writeUsdz, zipLayout } from '../../src/media/usdz/usdz-package.ts';
import { loadModel } from '../../src/web/app/components/model-scene.ts';
import { runCli } from '../helpers/cli.ts';
import { assertAigcJson, payloadFor, PRODUCER, provenance } from './implicit-labels-helpers.ts';

const WORDING = '本内容由人工智能生成 (AI-generated)';
const dir = mkdtempSync(join(tmpdir(), 'shenbi-usdz-labels-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MIME = MODEL_MIME_TYPES.usdz;

/** A one-triangle mesh, as other USD tools write layers: comments, an existing doc, nested custom data with braces and quotes in strings. */
const LAYER = [
  '#usda 1.0',
  '# written by hand for this test',
  '(',
  '    "an old-style comment string"',
  '    customLayerData = {',
  '        string creator = "a tool } with \\"braces\\" {"',
  '        dictionary nested = {',
  '            string AIGC = "not the layer label: nested one level down"',
  '        }',
  '    }',
  '    defaultPrim = "Tri"',
  '    doc = """An earlier',
  'doc (with ) parentheses"""',
  '    metersPerUnit = 1',
  '    upAxis = "Y"',
  ')',
  '',
  'def Mesh "Tri"',
  '{',
  '    int[] faceVertexCounts = [3]',
  '    int[] faceVertexIndices = [0, 1, 2]',
  '    point3f[] points = [(0, 0, 0), (1, 0, 0), (0, 1, 0)]',
  '}',
  '',
].join('\n');
const BODY = LAYER.slice(LAYER.indexOf('def Mesh'));

const crateUsdz = (): Uint8Array => writeUsdz([{ name: 'model.usdc', data: new Uint8Array([...strToU8('PXR-USDC'), 0, 8, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]) }]);
const usdz = (layer: string, name = 'tri.usda'): Uint8Array => writeUsdz([{ name, data: strToU8(layer) }, { name: 'textures/a.png', data: new Uint8Array(100).fill(7) }]);
const layerText = (bytes: Uint8Array): string => new TextDecoder().decode(readUsdz(bytes)[0]!.data);

const silent = { warn: () => {} };
const governance = composeGovernance(explicitLabelHook({ logger: silent }), implicitLabelHook({ producer: PRODUCER }));
const candidate = (bytes: Uint8Array, id = 'art_usdz000001'): ArtifactCandidate => ({ id, kind: 'model3d' as ArtifactCandidate['kind'], mimeType: MIME, bytes, name: null, provenance });
const produceIdOf = (labels: readonly LabelRecord[]): string => String((labels.find((l) => l.type === 'aigc-implicit')?.value as { ProduceID?: string } | undefined)?.ProduceID);

function assertAligned(bytes: Uint8Array): void {
  for (const entry of zipLayout(bytes)) {
    assert.equal(entry.method, 0, `${entry.name} stored`);
    assert.equal(entry.dataOffset % 64, 0, `${entry.name} at a 64-byte boundary`);
  }
}

/** The customLayerData string entries at the dictionary's top level, unescaped (a second reader, by regex, for the test). */
function topLevelStrings(layer: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of layer.matchAll(/^\t\tstring (\w+) = "((?:[^"\\]|\\.)*)"$/gm)) out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

test('USDZ is a 3D model for the explicit labeler and sniffs as usdz', () => {
  assert.equal(modalityOf({ kind: 'model3d' as ArtifactCandidate['kind'], mimeType: MIME }), 'model3d');
  assert.equal(sniffContainer(usdz(LAYER)), 'usdz');
});

test('USDZ through the governance hooks: customLayerData AIGC + Shenbi, doc wording, still a 64-byte aligned package, verify says labeled', async () => {
  const input = usdz(LAYER);
  const decision = await governance.review(candidate(input));
  const out = decision.bytes;
  assert.deepEqual(
    decision.labels.map((l) => [l.type, l.placement]),
    [['aigc-explicit', 'usdz-layer-doc'], ['aigc-implicit', 'usdz-layer-data'], ['iptc-digital-source-type', 'usdz-layer-data'], ['reproduction', 'usdz-layer-data']],
  );
  assertAligned(out);
  const entries = readUsdz(out);
  assert.deepEqual(entries.map((e) => e.name), ['tri.usda', 'textures/a.png'], 'same files, same order');
  assert.deepEqual(Buffer.from(entries[1]!.data), Buffer.alloc(100, 7), 'other files byte for byte');

  const layer = layerText(out);
  assert.ok(layer.endsWith(BODY), 'the prims are untouched');
  assert.match(layer, /"an old-style comment string"/);
  assert.match(layer, /string creator = "a tool \} with \\"braces\\" \{"/, 'existing custom data kept');
  assert.match(layer, /string AIGC = "not the layer label: nested one level down"/, 'a nested dictionary is not the layer label');
  const strings = topLevelStrings(layer);
  assertAigcJson(strings.AIGC, produceIdOf(decision.labels), 'customLayerData');
  assert.equal(JSON.parse(strings.Shenbi!).Seed, 42);
  assert.equal(strings.aigcExplicitLabel, WORDING);
  const doc = /^\s*doc = "((?:[^"\\]|\\.)*)"$/m.exec(layer);
  assert.ok(doc, 'doc is one string');
  assert.equal(doc[1]!.replace(/\\n/g, '\n'), `${WORDING}\nAn earlier\ndoc (with ) parentheses`, 'the wording first, the earlier doc after it');

  const report = readImplicitLabels(out);
  assert.equal(report.container, 'usdz');
  assert.equal(report.valid, true, report.problems.join('; '));
  assert.equal(report.labels.length, 1);
  assert.equal(report.reproduction?.seed, 42);
  const verified = await verifyLabels(out);
  assert.equal(verified.verdict, 'labeled', verified.problems.join('; '));
  assert.equal(verified.mimeType, MIME);
  assert.equal(verified.implicit.placement, 'usdz-layer-data');

  // Re-labeling replaces, never appends; the same input gives the same bytes.
  const again = await governance.review(candidate(out));
  assert.equal(readImplicitLabels(again.bytes).labels.length, 1);
  assert.equal((layerText(again.bytes).match(/本内容由人工智能生成/g) ?? []).length, 2, 'doc and aigcExplicitLabel once each');
  assert.deepEqual(Buffer.from((await governance.review(candidate(input))).bytes), Buffer.from(out), 'deterministic re-zip');
});

test('a layer without a metadata block gets one; the built lantern stays aligned and readable once labeled', async () => {
  const bare = await embedImplicitLabel(usdz('#usda 1.0\n\ndef Xform "Root"\n{\n}\n'), MIME, payloadFor('art_usdz000002'));
  assert.equal(bare.placement, 'usdz-layer-data');
  assert.match(layerText(bare.bytes), /^#usda 1\.0\n\(\n\tcustomLayerData = \{\n\t\tstring AIGC = /);
  assert.equal(readImplicitLabels(bare.bytes, MIME).valid, true);

  const chosen = chooseBuiltIn('a lantern', 3)!;
  const built = (await buildScene(chosen.program, { detail: 'low', formats: ['usdz'] })).files.usdz!;
  const labeled = (await governance.review(candidate(built, 'art_usdz000003'))).bytes;
  assertAligned(labeled);
  const before = readUsdz(built);
  const after = readUsdz(labeled);
  assert.deepEqual(after.map((e) => e.name), before.map((e) => e.name));
  for (let i = 1; i < before.length; i++) assert.deepEqual(Buffer.from(after[i]!.data), Buffer.from(before[i]!.data), `${before[i]!.name} unchanged`);
  const layer = layerText(labeled);
  assert.match(layer, /metersPerUnit = 1/);
  assert.match(layer, /string creator = "Three.js USDZExporter"/);
  assert.equal((await verifyLabels(labeled)).verdict, 'labeled');
  // three.js's USD reader still opens it, every part there.
  const opened = await loadModel(labeled.slice().buffer, MIME, 'lantern.usdz');
  let meshes = 0;
  opened.root.traverse((o) => void (meshes += (o as { isMesh?: boolean }).isMesh ? 1 : 0));
  assert.equal(meshes, before.length - 1, 'one mesh per geometry file');
});

test('a binary (.usdc) default layer is not rewritten: store placement, a sidecar explicit label, verify says why', async () => {
  // Only the crate magic matters here: the carrier never parses binary USD.
  const crate = crateUsdz();
  const decision = await governance.review(candidate(crate, 'art_usdz000004'));
  assert.deepEqual(Buffer.from(decision.bytes), Buffer.from(crate), 'bytes unchanged');
  assert.deepEqual(decision.labels.map((l) => [l.type, l.placement]), [['aigc-explicit', 'sidecar'], ['aigc-implicit', 'store'], ['iptc-digital-source-type', 'store'], ['reproduction', 'store']]);
  const verified = await verifyLabels(crate);
  assert.equal(verified.container, 'usdz');
  assert.equal(verified.implicit.possible, false);
  assert.match(verified.implicit.storeOnly ?? '', /binary USD \(\.usdc\).*store and ledger/);
  assert.equal(verified.verdict, 'unlabeled', 'the file itself carries no label');
});

test('corrupt USDZ bytes: MEDIA_INVALID from both hooks, nothing labeled', async () => {
  const good = usdz(LAYER);
  const corrupt = [good.subarray(0, 200), strToU8('PK\x03\x04 nothing else'), zipSync({ 'a.png': new Uint8Array(3) }), usdz('not a usd layer\n')];
  for (const bytes of corrupt) {
    await assert.rejects(governance.review(candidate(bytes)), (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID', 'governance');
    await assert.rejects(embedImplicitLabel(bytes, MIME, payloadFor('art_usdz000005')), (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID', 'implicit');
  }
  // An unclosed metadata block is refused rather than guessed at.
  await assert.rejects(embedImplicitLabel(usdz('#usda 1.0\n(\n  doc = "x"\n'), MIME, payloadFor('art_usdz000006')), (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID');
});

test('shenbi verify reads a labeled USDZ back, and says why a .usdc one holds no label', async () => {
  const labeled = join(dir, 'labeled.usdz');
  const crate = join(dir, 'crate.usdz');
  writeFileSync(labeled, (await governance.review(candidate(usdz(LAYER), 'art_usdz000007'))).bytes);
  writeFileSync(crate, crateUsdz());
  const r = await runCli(['verify', labeled, crate], { home: join(dir, 'home') });
  assert.equal(r.status, 4, 'one file is unlabeled');
  const blocks = r.stdout.split(/\n(?=[A-Z]+  )/);
  assert.match(blocks[0]!, /^LABELED .*labeled\.usdz .*model\/vnd\.usdz\+zip[\s\S]*AIGC implicit: valid in usdz-layer-data  Label=1/);
  assert.match(blocks[1]!, /^UNLABELED .*crate\.usdz[\s\S]*AIGC implicit: not embedded \(the USDZ's default layer is binary USD \(\.usdc\)[^)]*store and ledger\)/);
});
