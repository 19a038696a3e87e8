import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { strToU8, zipSync } from 'fflate';
import type { LabelRecord } from '../../src/core/artifact.ts';
import { ShenbiError } from '../../src/core/errors.ts';
import { explicitLabelHook, modalityOf } from '../../src/governance/explicit/hook.ts';
import { composeGovernance, type ArtifactCandidate } from '../../src/governance/hook.ts';
import { embedImplicitLabel, implicitLabelHook, readImplicitLabels, sniffContainer } from '../../src/governance/implicit/index.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { MODEL_MIME_TYPES } from '../../src/engines/scene3d/types.ts';
import { runCli } from '../helpers/cli.ts';
import { assertAigcJson, payloadFor, PRODUCER, provenance } from './implicit-labels-helpers.ts';

const run = promisify(execFile);
const WORDING = '本内容由人工智能生成 (AI-generated)';
const dir = mkdtempSync(join(tmpdir(), 'shenbi-model3d-labels-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A 10 mm cube: 8 corners, 12 outward-facing triangles. */
const CORNERS: [number, number, number][] = [
  [0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0],
  [0, 0, 10], [10, 0, 10], [10, 10, 10], [0, 10, 10],
];
const TRIANGLES: [number, number, number][] = [
  [0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
  [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7],
];

function binaryStl(header = 'cube exported by a CAD tool'): Buffer {
  const out = Buffer.alloc(84 + 50 * TRIANGLES.length);
  out.write(header, 0, 'latin1');
  out.writeUInt32LE(TRIANGLES.length, 80);
  TRIANGLES.forEach((t, i) => {
    const at = 84 + 50 * i;
    // Normal left 0 (readers recompute it); three vertices; attribute bytes 0.
    t.forEach((v, k) => CORNERS[v]!.forEach((c, axis) => out.writeFloatLE(c, at + 12 + 12 * k + 4 * axis)));
  });
  return out;
}

function asciiStl(): Buffer {
  const facets = TRIANGLES.map((t) => `  facet normal 0 0 0\n    outer loop\n${t.map((v) => `      vertex ${CORNERS[v]!.join(' ')}\n`).join('')}    endloop\n  endfacet\n`).join('');
  return Buffer.from(`solid cube\n${facets}endsolid cube\n`, 'utf8');
}

const MODEL_XML = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<model unit="millimeter" xml:lang="en-US" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">',
  '  <metadata name="Title">cube</metadata>',
  '  <resources>',
  '    <object id="1" type="model">',
  '      <mesh>',
  `        <vertices>${CORNERS.map(([x, y, z]) => `<vertex x="${x}" y="${y}" z="${z}"/>`).join('')}</vertices>`,
  `        <triangles>${TRIANGLES.map(([a, b, c]) => `<triangle v1="${a}" v2="${b}" v3="${c}"/>`).join('')}</triangles>`,
  '      </mesh>',
  '    </object>',
  '  </resources>',
  '  <build><item objectid="1"/></build>',
  '</model>',
].join('\n');

/** The smallest package a slicer opens: content types, the root relationship, the model part. */
function threeMf(): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>',
    ),
    '3D/3dmodel.model': strToU8(MODEL_XML),
  });
}

const silent = { warn: () => {} };
const produceIdOf = (labels: readonly LabelRecord[]): string => String((labels.find((l) => l.type === 'aigc-implicit')?.value as { ProduceID?: string } | undefined)?.ProduceID);
const governance = composeGovernance(explicitLabelHook({ logger: silent }), implicitLabelHook({ producer: PRODUCER }));
const candidate = (mimeType: string, bytes: Uint8Array, id = 'art_model3d001'): ArtifactCandidate => ({ id, kind: 'model3d' as ArtifactCandidate['kind'], mimeType, bytes, name: null, provenance });

/** Python's zipfile (CRC-checked) and ElementTree: an independent reader of the package and its model. */
async function pythonReadsThreeMf(bytes: Uint8Array): Promise<{ bad: string | null; metadata: Record<string, string>; triangles: number; vertices: number }> {
  const path = join(dir, `read-${Math.random().toString(36).slice(2)}.3mf`);
  writeFileSync(path, bytes);
  const script = [
    'import json, sys, zipfile, xml.etree.ElementTree as ET',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'root = ET.fromstring(z.read("3D/3dmodel.model"))',
    'ns = "{http://schemas.microsoft.com/3dmanufacturing/core/2015/02}"',
    'meta = {m.get("name"): m.text for m in root.findall(ns + "metadata")}',
    'print(json.dumps({"bad": bad, "metadata": meta, "triangles": len(root.findall(".//" + ns + "triangle")), "vertices": len(root.findall(".//" + ns + "vertex"))}))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script, path]);
  return JSON.parse(stdout) as { bad: string | null; metadata: Record<string, string>; triangles: number; vertices: number };
}

test('STL and 3MF MIME types are 3D models for the explicit labeler, and the bytes sniff as STL / 3MF', () => {
  assert.equal(modalityOf({ kind: 'model3d' as ArtifactCandidate['kind'], mimeType: MODEL_MIME_TYPES.stl }), 'model3d');
  assert.equal(modalityOf({ kind: 'model3d' as ArtifactCandidate['kind'], mimeType: MODEL_MIME_TYPES['3mf'] }), 'model3d');
  assert.equal(sniffContainer(binaryStl()), 'stl');
  // Exporters that start a binary header with "solid" anyway are told apart by the size relation.
  assert.equal(sniffContainer(binaryStl('solid made by a careless exporter')), 'stl');
  assert.equal(sniffContainer(asciiStl()), 'stl');
  assert.equal(sniffContainer(threeMf()), '3mf');
});

test('3MF through the governance hooks: TC260:AIGC + Description metadata, a valid package, verify says labeled', async () => {
  const input = threeMf();
  const decision = await governance.review(candidate(MODEL_MIME_TYPES['3mf'], input));
  const out = decision.bytes;
  assert.deepEqual(
    decision.labels.map((l) => [l.type, l.placement]),
    [['aigc-explicit', '3mf-metadata.Description'], ['aigc-implicit', '3mf-metadata'], ['iptc-digital-source-type', '3mf-metadata'], ['reproduction', '3mf-metadata']],
  );

  const python = await pythonReadsThreeMf(out);
  assert.equal(python.bad, null, 'every part passes its CRC');
  assert.equal(python.triangles, TRIANGLES.length, 'the mesh is untouched');
  assert.equal(python.vertices, CORNERS.length);
  assertAigcJson(python.metadata['TC260:AIGC'], produceIdOf(decision.labels), '3mf metadata');
  assert.equal(python.metadata.Title, 'cube', 'existing metadata is kept');
  assert.ok(python.metadata.Description?.startsWith(WORDING), 'the slicer-visible Description starts with the wording');
  assert.equal(python.metadata.Designer, 'AI-generated (Shenbi)');

  const report = readImplicitLabels(out);
  assert.equal(report.container, '3mf');
  assert.equal(report.valid, true, report.problems.join('; '));
  assert.equal(report.labels.length, 1);
  assert.equal(report.reproduction?.seed, 42);

  const verified = await verifyLabels(out);
  assert.equal(verified.verdict, 'labeled', verified.problems.join('; '));
  assert.equal(verified.mimeType, 'model/3mf');
  assert.equal(verified.implicit.placement, '3mf-metadata');

  // Re-labeling replaces, never appends; the same input gives the same package bytes.
  const again = await governance.review(candidate(MODEL_MIME_TYPES['3mf'], out));
  assert.equal(readImplicitLabels(again.bytes).labels.length, 1);
  assert.equal((await pythonReadsThreeMf(again.bytes)).metadata.Description, WORDING, 'the wording is not repeated');
  assert.deepEqual(Buffer.from((await governance.review(candidate(MODEL_MIME_TYPES['3mf'], input))).bytes), Buffer.from(out), 'deterministic re-zip');
});

test('binary STL: the 80-byte header carries the AIGC marker, the triangles and size relation stay, verify says labeled (marker)', async () => {
  const input = binaryStl();
  const decision = await governance.review(candidate(MODEL_MIME_TYPES.stl, input));
  const out = Buffer.from(decision.bytes);
  assert.equal(out.length, 84 + 50 * out.readUInt32LE(80), 'size = 84 + 50 × triangles');
  assert.equal(out.readUInt32LE(80), TRIANGLES.length);
  assert.deepEqual(out.subarray(84), input.subarray(84), 'facets byte for byte');
  const header = out.subarray(0, 80).toString('latin1');
  const produceId = produceIdOf(decision.labels);
  assert.match(produceId, /^[\x21-\x7e]{1,57}$/, 'the ProduceID fits the header beside the marker');
  assert.equal(header.trimEnd(), `AIGC Label=1 ProduceID=${produceId}`);
  assert.ok(!header.startsWith('solid'), 'a binary header must not start with "solid"');
  assert.deepEqual(
    decision.labels.map((l) => [l.type, l.placement]),
    [['aigc-explicit', 'sidecar'], ['aigc-implicit', 'stl-header'], ['iptc-digital-source-type', 'stl-header'], ['reproduction', 'stl-header']],
  );

  const report = readImplicitLabels(out);
  assert.equal(report.container, 'stl');
  assert.deepEqual(report.marker, { placement: 'stl-header', text: `AIGC Label=1 ProduceID=${produceId}`, label: '1', produceId });

  const verified = await verifyLabels(out);
  assert.equal(verified.verdict, 'labeled', verified.problems.join('; '));
  assert.equal(verified.container, 'stl');
  assert.equal(verified.mimeType, 'model/stl');
  assert.equal(verified.implicit.possible, false, 'the full label does not fit STL');
  assert.equal(verified.implicit.marker?.produceId, produceId);
  const strict = await verifyLabels(out, { require: ['implicit'] });
  assert.equal(strict.verdict, 'labeled', 'STL cannot hold the full label, so requiring it does not fail the marker');

  const relabeled = await embedImplicitLabel(out, MODEL_MIME_TYPES.stl, payloadFor('art_model3d002'));
  assert.equal(Buffer.from(relabeled.bytes).subarray(0, 80).toString('latin1').trimEnd(), 'AIGC Label=1 ProduceID=art_model3d002');
});

test('ASCII STL: the solid name carries the marker, endsolid matches, the facets stay', async () => {
  const out = await embedImplicitLabel(asciiStl(), MODEL_MIME_TYPES.stl, payloadFor('art_model3d003'));
  assert.equal(out.placement, 'stl-solid-name');
  const text = Buffer.from(out.bytes).toString('utf8');
  assert.match(text, /^solid AIGC Label=1 ProduceID=art_model3d003 cube\n/);
  assert.match(text, /\nendsolid AIGC Label=1 ProduceID=art_model3d003 cube\n$/);
  assert.equal(text.match(/facet normal/g)?.length, TRIANGLES.length);
  const twice = Buffer.from((await embedImplicitLabel(out.bytes, MODEL_MIME_TYPES.stl, payloadFor('art_model3d004'))).bytes).toString('utf8');
  assert.match(twice, /^solid AIGC Label=1 ProduceID=art_model3d004 cube\n/, 'the marker is replaced, not stacked');
  assert.equal((await verifyLabels(out.bytes)).verdict, 'labeled');
});

test('an unlabeled STL or 3MF reads as unlabeled', async () => {
  for (const bytes of [binaryStl(), asciiStl(), threeMf()]) {
    const report = readImplicitLabels(bytes);
    assert.equal(report.labels.length, 0);
    assert.equal(report.marker, null);
    const verified = await verifyLabels(bytes);
    assert.equal(verified.verdict, 'unlabeled', `${verified.container}: ${verified.problems.join('; ')}`);
  }
});

test('a corrupt 3MF or STL is MEDIA_INVALID, never a crash', async () => {
  const good = threeMf();
  const corrupt = [Buffer.from('PK\x03\x04 not really a zip at all', 'latin1'), good.subarray(0, Math.floor(good.length / 2))];
  const mediaInvalid = (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID';
  for (const bytes of corrupt) {
    await assert.rejects(embedImplicitLabel(bytes, MODEL_MIME_TYPES['3mf'], payloadFor('art_bad')), mediaInvalid);
    await assert.rejects(governance.review(candidate(MODEL_MIME_TYPES['3mf'], bytes)), mediaInvalid);
    assert.throws(() => readImplicitLabels(bytes, MODEL_MIME_TYPES['3mf']), mediaInvalid);
    const verified = await verifyLabels(bytes, { mimeType: MODEL_MIME_TYPES['3mf'] });
    assert.equal(verified.verdict, 'unlabeled');
    assert.match(verified.implicit.problems.join(';'), /not a readable zip package/);
  }
  const noModel = zipSync({ '[Content_Types].xml': strToU8('<Types/>') });
  await assert.rejects(embedImplicitLabel(noModel, MODEL_MIME_TYPES['3mf'], payloadFor('art_bad')), /no model part 3D\/3dmodel\.model/);
  const truncatedStl = binaryStl().subarray(0, 100);
  await assert.rejects(embedImplicitLabel(truncatedStl, MODEL_MIME_TYPES.stl, payloadFor('art_bad')), mediaInvalid);
  await assert.rejects(governance.review(candidate(MODEL_MIME_TYPES.stl, truncatedStl)), mediaInvalid);
});

test('shenbi verify (the CLI) names the STL marker, and says an unmarked STL has none', { timeout: 180_000 }, async () => {
  const labeled = join(dir, 'labeled.stl');
  const plain = join(dir, 'plain.stl');
  const threeMfPath = join(dir, 'labeled.3mf');
  writeFileSync(labeled, (await governance.review(candidate(MODEL_MIME_TYPES.stl, binaryStl()))).bytes);
  writeFileSync(plain, binaryStl());
  writeFileSync(threeMfPath, (await governance.review(candidate(MODEL_MIME_TYPES['3mf'], threeMf()))).bytes);
  const home = join(dir, 'home');
  const r = await runCli(['verify', labeled, threeMfPath, plain], { home });
  assert.equal(r.status, 4, 'one file is unlabeled');
  const blocks = r.stdout.split(/\n(?=[A-Z]+  )/);
  assert.match(blocks[0]!, /^LABELED .*labeled\.stl .*model\/stl[\s\S]*short marker, found in stl-header: "AIGC Label=1 ProduceID=\S+"[\s\S]*store and ledger/);
  assert.match(blocks[1]!, /^LABELED .*labeled\.3mf .*model\/3mf[\s\S]*AIGC implicit: valid in 3mf-metadata/);
  assert.match(blocks[2]!, /^UNLABELED .*plain\.stl[\s\S]*AIGC implicit: none \(STL has room only for a short/);
});
