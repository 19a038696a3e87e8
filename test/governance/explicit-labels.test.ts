import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { Provenance } from '../../src/core/provenance.ts';
import { explicitLabelHook } from '../../src/governance/explicit/hook.ts';
import { GLTF_LABEL_KEY, labelGltf } from '../../src/governance/explicit/model3d.ts';
import { explicitLabelOptionsSchema, hasRequiredElements } from '../../src/governance/explicit/options.ts';
import { labelText } from '../../src/governance/explicit/text.ts';
import type { ArtifactCandidate } from '../../src/governance/hook.ts';

const WORDING = '本内容由人工智能生成 (AI-generated)';
const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
/** labeling.md §4.2: the first or last 256 bytes hold both elements. */
const LABEL_RE = /(人工智能|AI).*(生成|合成)|(生成|合成).*(人工智能|AI)/;

function provenance(overrides: Partial<Provenance> = {}): Provenance {
  const now = new Date().toISOString();
  return { task: 'text', inputs: {}, engine: { id: 'test', version: '1' }, model: null, parameters: {}, seed: null, parents: [], timings: { startedAt: now, finishedAt: now, durationMs: 0 }, ...overrides };
}
function candidate(kind: ArtifactCandidate['kind'], mimeType: string, bytes: Uint8Array, prov: Provenance = provenance()): ArtifactCandidate {
  return { id: 'art_test1', kind, mimeType, bytes, name: null, provenance: prov };
}

test('the default wordings carry an AI element and a generation element; other wordings are refused', () => {
  const options = explicitLabelOptionsSchema.parse({});
  for (const w of Object.values(options.wording)) assert.ok(hasRequiredElements(w), w);
  assert.equal(hasRequiredElements('AI-generated'), false);
  assert.equal(hasRequiredElements('由模型生成'), false);
  assert.throws(() => explicitLabelHook({ wording: { visual: 'Made with love' } }), /人工智能 or AI/);
});

test('plain text: prefix by default, suffix when configured; both elements in the first/last 256 bytes', () => {
  const body = 'Hello world.\n第二行。';
  const prefixed = utf8(labelText(Buffer.from(body), 'text/plain; charset=utf-8', { wording: WORDING, position: 'prefix' }).bytes);
  assert.match(Buffer.from(prefixed).subarray(0, 256).toString(), LABEL_RE);
  assert.ok(prefixed.endsWith(body));
  const suffixed = labelText(Buffer.from(body), 'text/plain', { wording: '【AI生成】', position: 'suffix' });
  const text = utf8(suffixed.bytes);
  assert.ok(text.startsWith(body));
  assert.match(Buffer.from(text).subarray(-256).toString(), LABEL_RE);
  assert.equal(suffixed.record.placement, 'text-suffix');
});

test('Markdown: the label is a blockquote after the front matter, which stays first', () => {
  const md = '---\ntitle: 春天\ntags: [a, b]\n---\n# 春天\n\n正文。\n';
  const out = utf8(labelText(Buffer.from(md), 'text/markdown; charset=utf-8', { wording: WORDING, position: 'prefix' }).bytes);
  assert.ok(out.startsWith('---\ntitle: 春天\ntags: [a, b]\n---\n'), out);
  const afterFrontMatter = out.slice('---\ntitle: 春天\ntags: [a, b]\n---\n'.length);
  assert.equal(afterFrontMatter.split('\n')[0], `> ${WORDING}`);
  assert.ok(out.endsWith('# 春天\n\n正文。\n'));
  // Without front matter: first line.
  const plain = utf8(labelText(Buffer.from('# Title\n'), 'text/markdown', { wording: WORDING, position: 'prefix' }).bytes);
  assert.equal(plain.split('\n')[0], `> ${WORDING}`);
});

test('code gets a comment in its own syntax, after a shebang; the program is unchanged below it', () => {
  const js = labelText(Buffer.from('#!/usr/bin/env node\nconsole.log(1);\n'), 'text/javascript; charset=utf-8', { wording: WORDING, position: 'prefix' });
  assert.equal(utf8(js.bytes), `#!/usr/bin/env node\n// ${WORDING}\n\nconsole.log(1);\n`);
  assert.equal(js.record.placement, 'code-comment-start');
  const py = utf8(labelText(Buffer.from('print(1)\n'), 'text/x-python', { wording: WORDING, position: 'prefix' }).bytes);
  assert.equal(py.split('\n')[0], `# ${WORDING}`);
  const html = utf8(labelText(Buffer.from('<html><body><h1>x</h1></body></html>'), 'text/html; charset=utf-8', { wording: WORDING, position: 'prefix' }).bytes);
  assert.equal(html, `<html><body>\n<p class="aigc-label" role="note">${WORDING}</p><h1>x</h1></body></html>`);
});

test('JSON keeps its bytes: the label is recorded as a sidecar', () => {
  const json = Buffer.from('{"a":1}');
  const out = labelText(json, 'application/json', { wording: WORDING, position: 'prefix' });
  assert.equal(out.bytes, json);
  assert.equal(out.record.placement, 'sidecar');
  assert.deepEqual(JSON.parse(utf8(out.bytes)), { a: 1 });
});

test('labeling twice does not stack labels', () => {
  const once = labelText(Buffer.from('正文'), 'text/plain', { wording: WORDING, position: 'prefix' }).bytes;
  const twice = labelText(once, 'text/plain', { wording: WORDING, position: 'prefix' }).bytes;
  assert.equal(utf8(twice), utf8(once));
});

test('glTF and GLB carry the label text in asset.extras; a GLB stays a valid GLB', () => {
  const gltf = labelGltf(Buffer.from(JSON.stringify({ asset: { version: '2.0', generator: 'x' }, scenes: [] })), 'model/gltf+json', WORDING);
  const parsed = JSON.parse(utf8(gltf.bytes)) as { asset: { generator: string; extras: Record<string, { text: string }> } };
  assert.equal(parsed.asset.generator, 'x');
  assert.equal(parsed.asset.extras[GLTF_LABEL_KEY]!.text, WORDING);
  const json = Buffer.from(JSON.stringify({ asset: { version: '2.0' } }) + ' ');
  const bin = Buffer.from([1, 2, 3, 4]);
  const glb = Buffer.alloc(12 + 8 + json.length + 8 + bin.length);
  glb.writeUInt32LE(0x46546c67, 0); glb.writeUInt32LE(2, 4); glb.writeUInt32LE(glb.length, 8);
  glb.writeUInt32LE(json.length, 12); glb.writeUInt32LE(0x4e4f534a, 16); json.copy(glb, 20);
  glb.writeUInt32LE(bin.length, 20 + json.length); glb.writeUInt32LE(0x004e4942, 24 + json.length); bin.copy(glb, 28 + json.length);
  const out = Buffer.from(labelGltf(glb, 'model/gltf-binary', WORDING).bytes);
  assert.equal(out.readUInt32LE(8), out.length);
  const jsonLength = out.readUInt32LE(12);
  assert.equal(jsonLength % 4, 0);
  assert.equal((JSON.parse(out.subarray(20, 20 + jsonLength).toString()) as { asset: { extras: Record<string, { text: string }> } }).asset.extras[GLTF_LABEL_KEY]!.text, WORDING);
  assert.deepEqual([...out.subarray(out.length - 4)], [1, 2, 3, 4]);
  assert.equal(out.readUInt32LE(24 + jsonLength), 0x004e4942);
});

test('omitting labels is a per-tenant setting that is logged and recorded; nothing is changed', async () => {
  const lines: { message: string; fields: Record<string, unknown> }[] = [];
  const hook = explicitLabelHook({ omit: { reason: 'user request under the agreement §7', tenant: 'acme' }, logger: { warn: (message, fields) => lines.push({ message, fields }) } });
  const bytes = Buffer.from('正文');
  const decision = await hook.review(candidate('text', 'text/plain', bytes));
  assert.equal(decision.bytes, bytes);
  assert.equal(decision.labels.length, 1);
  assert.equal(decision.labels[0]!.type, 'aigc-explicit-omitted');
  assert.deepEqual((decision.labels[0]!.value as { reason: string; tenant: string }).tenant, 'acme');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.fields.tenant, 'acme');
  assert.equal(lines[0]!.fields.reason, 'user request under the agreement §7');
  assert.throws(() => explicitLabelHook({ omit: { reason: ' ', tenant: 'acme' } }));
  // A modality switched off is an omission too: logged, recorded.
  const off = explicitLabelHook({ enabled: { text: false }, logger: { warn: (message, fields) => lines.push({ message, fields }) } });
  const offDecision = await off.review(candidate('text', 'text/plain', bytes));
  assert.equal(offDecision.labels[0]!.type, 'aigc-explicit-omitted');
  assert.equal(lines.length, 2);
});

test('the hook labels by default, edits of user media included', async () => {
  const hook = explicitLabelHook();
  const text = await hook.review(candidate('text', 'text/markdown; charset=utf-8', Buffer.from('# 标题\n')));
  assert.match(utf8(text.bytes).split('\n')[0]!, LABEL_RE);
  assert.equal(text.labels[0]!.type, 'aigc-explicit');
  // An enhancement of a photo the user supplied (a media-root path, no parent artifact).
  const photo = await sharp({ create: { width: 200, height: 150, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  const edit = provenance({ task: 'image.enhance', inputs: { image: '/home/user/photos/cat.jpg' }, parents: [] });
  const decision = await hook.review(candidate('image', 'image/jpeg', photo, edit));
  assert.notDeepEqual(Buffer.from(decision.bytes), photo);
  assert.equal(decision.labels[0]!.type, 'aigc-explicit');
  assert.equal(decision.labels[0]!.placement, 'image-bottom-right');
  const meta = await sharp(decision.bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 200, 150]);
  // No in-file form (MIDI): a sidecar record with the wording, bytes unchanged.
  const midi = Buffer.from('MThd');
  const m = await hook.review(candidate('midi', 'audio/midi', midi));
  assert.equal(m.labels[0]!.type, 'aigc-explicit');
  assert.equal(m.labels[0]!.placement, 'sidecar');
  assert.equal(m.bytes, midi);
});
