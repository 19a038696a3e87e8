import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import tonejs from '@tonejs/midi';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { embedImplicitLabel, implicitLabelHook, readImplicitLabels } from '../../src/governance/implicit/index.ts';
import { produceIdFor } from '../../src/governance/produce-id.ts';
import { currentWorkRoot } from '../../src/fs/work-dir.ts';
import { parseAss } from '../../src/media/subtitles/ass.ts';
import { parseLrc } from '../../src/media/subtitles/lrc.ts';
import { parseVtt } from '../../src/media/subtitles/vtt.ts';
import { openStore } from '../../src/store/open.ts';
import { AIGC_KEYS, PRODUCER, assertAigcJson, payloadFor, provenance, run } from './implicit-labels-helpers.ts';

/** Text, subtitle, MIDI and 3D carriers; the governance hook through a real store; timing. */

const { Midi } = tonejs;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-implicit-text-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** Embeds three times (first write, two re-labels); returns the final bytes. */
async function thrice(bytes: Uint8Array, mime: string, placement: string, withRecord = true): Promise<Uint8Array> {
  let out = bytes;
  for (const id of ['art_one00001', 'art_two00002', 'art_three003']) {
    const embedded = await embedImplicitLabel(out, mime, payloadFor(id));
    assert.equal(embedded.placement, placement, mime);
    out = embedded.bytes;
  }
  const report = readImplicitLabels(out, mime);
  assert.equal(report.labels.length, 1, `${mime}: one carrier (${report.problems.join('; ')})`);
  assert.ok(report.valid, report.problems.join('; '));
  assertAigcJson(report.labels[0]!.raw, 'art_three003', `${mime} (own reader)`);
  // Plain JSON carries the AIGC member only (one key added to someone's document, not two).
  assert.deepEqual(report.reproduction, withRecord ? payloadFor('x').reproduction : null);
  assert.equal(readImplicitLabels(out).container, report.container, `${mime}: sniffed from the bytes too`);
  return out;
}

test('Markdown: a YAML front-matter AIGC map, merged with existing front matter; PyYAML reads it', async () => {
  const plain = '# Title\n\nBody text.\n';
  const withFm = '---\ntitle: Hello\nAIGC:\n  Label: \'2\'\ntags: [a, b]\n---\n# Title\n';
  for (const source of [plain, withFm]) {
    const out = text(await thrice(Buffer.from(source), 'text/markdown; charset=utf-8', 'front-matter'));
    const path = join(dir, 'doc.md');
    await writeFile(path, out);
    const py = "import sys,yaml,json; t=open(sys.argv[1]).read(); fm=t.split('---\\n')[1]; d=yaml.safe_load(fm); print(json.dumps({'aigc':d['AIGC'],'rest':{k:v for k,v in d.items() if k not in ('AIGC','Shenbi')},'shenbi':d['Shenbi']}))";
    const parsed = JSON.parse((await run('python3', ['-c', py, path])).stdout) as { aigc: Record<string, string>; rest: Record<string, unknown>; shenbi: Record<string, unknown> };
    assertAigcJson(JSON.stringify(parsed.aigc), 'art_three003', 'markdown (PyYAML)');
    assert.equal(parsed.shenbi.Seed, 42);
    assert.ok(out.endsWith('# Title\n') || out.endsWith('Body text.\n'), 'the body is unchanged');
    if (source === withFm) assert.deepEqual(parsed.rest, { title: 'Hello', tags: ['a', 'b'] });
  }
});

test('JSON: a top-level AIGC member (formatting kept on first write); arrays keep the label in the store', async () => {
  const pretty = '{\n  "title": "x",\n  "n": 12345678901234567890\n}\n';
  const first = text((await embedImplicitLabel(Buffer.from(pretty), 'application/json', payloadFor('art_j1'))).bytes);
  assert.ok(first.startsWith('{\n  "title": "x",\n  "n": 12345678901234567890,\n  "AIGC": {'), first);
  const out = JSON.parse(text(await thrice(Buffer.from(pretty), 'application/json', 'json-member', false))) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['title', 'n', 'AIGC']);
  assertAigcJson(JSON.stringify(out.AIGC), 'art_three003', 'json');
  for (const compact of ['{}', '{"a":1}']) {
    const doc = JSON.parse(text((await embedImplicitLabel(Buffer.from(compact), 'application/json', payloadFor('art_c1'))).bytes)) as Record<string, unknown>;
    assertAigcJson(JSON.stringify(doc.AIGC), 'art_c1', `json ${compact}`);
  }
  const array = await embedImplicitLabel(Buffer.from('[1,2]'), 'application/json', payloadFor('art_j2'));
  assert.equal(array.placement, 'store');
  assert.equal(text(array.bytes), '[1,2]');
  await assert.rejects(embedImplicitLabel(Buffer.from('{"a":'), 'application/json', payloadFor('art_j3')), (e: unknown) => e instanceof ShenbiError && e.code === 'MEDIA_INVALID');
});

test('glTF and GLB: asset.extras.AIGC; the GLB stays well-formed with its BIN chunk intact', async () => {
  const gltf = JSON.parse(text(await thrice(Buffer.from('{"asset":{"version":"2.0","extras":{"author":"me"}},"scenes":[]}'), 'model/gltf+json', 'gltf-extras'))) as { asset: { extras: Record<string, unknown> } };
  assertAigcJson(JSON.stringify(gltf.asset.extras.AIGC), 'art_three003', 'gltf');
  assert.equal(gltf.asset.extras.author, 'me');

  const json = Buffer.from('{"asset":{"version":"2.0"},"buffers":[{"byteLength":8}]}  ');
  const bin = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const chunk = (type: string, data: Buffer) => Buffer.concat([Buffer.from(Uint32Array.of(data.length).buffer), Buffer.from(type, 'latin1'), data]);
  const body = Buffer.concat([chunk('JSON', json), chunk('BIN\0', bin)]);
  const glb = Buffer.concat([Buffer.from('glTF', 'latin1'), Buffer.from(Uint32Array.of(2, 12 + body.length).buffer), body]);
  const out = Buffer.from(await thrice(glb, 'model/gltf-binary', 'gltf-extras'));
  // labeling.md §4: the JSON chunk is bytes 20…20+len.
  assert.equal(out.readUInt32LE(8), out.length, 'GLB length');
  const jsonLength = out.readUInt32LE(12);
  assert.equal(jsonLength % 4, 0, 'JSON chunk padded to 4');
  const doc = JSON.parse(out.subarray(20, 20 + jsonLength).toString('utf8')) as { asset: { extras: { AIGC: unknown } } };
  assertAigcJson(JSON.stringify(doc.asset.extras.AIGC), 'art_three003', 'glb');
  assert.ok(out.subarray(20 + jsonLength).equals(chunk('BIN\0', bin)), 'BIN chunk unchanged');
});

test('MIDI: one AIGC text event at tick 0 of the first track (read by @tonejs/midi); notes unchanged', async () => {
  const midi = new Midi();
  const track = midi.addTrack();
  for (let i = 0; i < 8; i++) track.addNote({ midi: 60 + i, time: i * 0.25, duration: 0.2 });
  const source = midi.toArray();
  const out = await thrice(source, 'audio/midi', 'midi-text-event');
  const parsed = new Midi(out);
  const texts = parsed.header.meta.filter((m) => m.type === 'text' && m.text.startsWith('AIGC='));
  assert.equal(texts.length, 1);
  assert.equal(texts[0]!.ticks, 0);
  assertAigcJson(texts[0]!.text.slice(5), 'art_three003', 'midi (@tonejs/midi)');
  assert.deepEqual(parsed.tracks.flatMap((t) => t.notes.map((n) => [n.midi, n.ticks, n.durationTicks])), new Midi(source).tracks.flatMap((t) => t.notes.map((n) => [n.midi, n.ticks, n.durationTicks])));
});

test('WebVTT, ASS and LRC: label in a NOTE block / [Script Info] / ID tag; cues unchanged for our parsers and ffprobe', async () => {
  const vtt = 'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n\n00:00:01.000 --> 00:00:02.000\nWorld\n';
  const ass = '[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\nStyle: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,Hello\n';
  const lrc = '[ti:Song]\n[00:01.00]Hello\n[00:02.00]World\n';
  const cases: [string, string, string, string, (t: string) => unknown][] = [
    ['vtt', 'text/vtt; charset=utf-8', vtt, 'vtt-note', parseVtt],
    ['ass', 'text/x-ass; charset=utf-8', ass, 'ass-script-info', parseAss],
    ['lrc', 'application/x-lrc; charset=utf-8', lrc, 'lrc-tag', (t) => parseLrc(t).lines],
  ];
  for (const [ext, mime, source, placement, parse] of cases) {
    const out = text(await thrice(Buffer.from(source), mime, placement));
    assert.deepEqual(parse(out), parse(source), `${ext}: same cues for our parser`);
    assert.equal(out.split('AIGC').length - 1, 1, `${ext}: the string AIGC appears once`);
    const before = join(dir, `before.${ext}`);
    const labeled = join(dir, `labeled.${ext}`);
    await writeFile(before, source);
    await writeFile(labeled, out);
    const probe = async (p: string) => (await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets:format=format_name', '-of', 'json', p])).stdout;
    assert.equal(await probe(labeled), await probe(before), `${ext}: ffprobe reads the same packets`);
  }
});

test('SRT, plain text and HTML without <head> keep their bytes; the record says why', async () => {
  for (const [mime, body] of [['application/x-subrip; charset=utf-8', '1\n00:00:00,000 --> 00:00:01,000\nHi\n'], ['text/plain; charset=utf-8', 'just text'], ['text/html', '<p>hi</p>']] as const) {
    const bytes = Buffer.from(body);
    const result = await embedImplicitLabel(bytes, mime, payloadFor('art_s1'));
    assert.equal(result.placement, 'store');
    assert.equal(result.bytes, bytes);
    assert.ok((result.note ?? '').length > 10);
    assert.equal(readImplicitLabels(bytes, mime).labels.length, 0);
  }
  const html = text(await thrice(Buffer.from('<!doctype html><html><head><title>x</title></head><body></body></html>'), 'text/html; charset=utf-8', 'html-meta'));
  assert.match(html, /<head>\n<meta name="AIGC" content="\{&quot;Label&quot;/);
});

test('the reader reports invalid labels: wrong order, numeric Label, bad characters, the wrapped form accepted', () => {
  const good = Object.fromEntries(AIGC_KEYS.map((k) => [k, k === 'Label' ? '1' : 'x']));
  const md = (aigc: string) => Buffer.from(`---\nAIGC: '${aigc}'\n---\n`);
  assert.ok(readImplicitLabels(md(JSON.stringify({ AIGC: good })), 'text/markdown').valid, 'wrapped form');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ ...good, Label: 1 }, /Label must be a string/],
    [{ ...good, Label: '4' }, /Label must be "1", "2" or "3"/],
    [{ ...good, ContentProducer: 'Acme Corp' }, /printable ASCII/],
    [Object.fromEntries(Object.entries(good).reverse()), /in that order/],
  ];
  for (const [label, problem] of bad) {
    const report = readImplicitLabels(md(JSON.stringify(label)), 'text/markdown');
    assert.equal(report.valid, false);
    assert.match(report.problems.join('\n'), problem);
  }
  const twice = readImplicitLabels(Buffer.from(`---\nAIGC: '${JSON.stringify(good)}'\nAIGC: '${JSON.stringify(good)}'\n---\n`));
  assert.equal(twice.labels.length, 2);
  assert.match(twice.problems.join(), /exactly one/);
});

test('the governance hook embeds through a real store: ProduceID derived from the content, real placement recorded', async () => {
  assert.throws(() => implicitLabelHook({ producer: 'Acme Corp' }), (e: unknown) => e instanceof ShenbiError && e.code === 'CONFIG_INVALID');
  const store = await openStore({ database: `sqlite:${join(dir, 'db.sqlite')}`, blobsDir: join(dir, 'blobs'), governance: implicitLabelHook({ producer: PRODUCER }) });
  try {
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#123' } }).png().toBuffer();
    const put = await store.artifacts.put({ kind: 'image', mimeType: 'image/png', bytes: png, provenance });
    assert.deepEqual(put.labels.map((l) => [l.type, l.placement]), [['aigc-implicit', 'xmp'], ['iptc-digital-source-type', 'xmp'], ['reproduction', 'xmp']]);
    const { bytes } = await store.artifacts.read(put.id);
    const report = readImplicitLabels(bytes, 'image/png');
    assert.ok(report.valid);
    assertAigcJson(report.labels[0]!.raw, produceIdFor(png, 'image/png', PRODUCER), 'stored png');
    const txt = await store.artifacts.put({ kind: 'text', mimeType: 'text/plain; charset=utf-8', bytes: Buffer.from('hi'), provenance });
    assert.equal(txt.labels[0]!.placement, 'store');
    const textId = (txt.labels[0]!.value as Record<string, string>).ProduceID;
    assert.equal(textId, produceIdFor(Buffer.from('hi'), 'text/plain', PRODUCER));
    assert.deepEqual((await store.artifacts.list({ produceId: textId })).map((a) => a.id), [txt.id], 'the store finds the artifact by its ProduceID');
    const again = await store.artifacts.put({ kind: 'text', mimeType: 'text/plain', bytes: Buffer.from('hi'), provenance });
    assert.equal((again.labels[0]!.value as Record<string, string>).ProduceID, textId, 'the same content, the same ProduceID');
    assert.deepEqual((await store.artifacts.list({ produceId: textId })).map((a) => a.id).sort(), [txt.id, again.id].sort());
    const edit = await store.artifacts.put({ kind: 'image', mimeType: 'image/png', bytes: png, provenance: { ...provenance, inputs: { source: '/home/me/photo.jpg' } } });
    assert.equal(edit.labels[1]!.value, 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia');
  } finally {
    await store.close();
  }
});

test('a 1080p PNG is labeled in memory well under the 200 ms budget', async () => {
  const noise = Buffer.alloc(1920 * 1080 * 3);
  for (let i = 0; i < noise.length; i += 97) noise[i] = (i * 31) & 0xff;
  const png = await sharp(noise, { raw: { width: 1920, height: 1080, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
  const start = performance.now();
  const out = await embedImplicitLabel(png, 'image/png', payloadFor('art_big00001'));
  const ms = performance.now() - start;
  assert.ok(readImplicitLabels(out.bytes, 'image/png').valid);
  assert.ok(ms < 100, `labeling a ${(png.length / 1e6).toFixed(1)} MB 1080p PNG took ${ms.toFixed(1)} ms`);
});

test('ffmpeg remuxes leave no temp folder behind, on success or failure', async () => {
  // Work folders go under the Shenbi work root (`<pid>-t<thread>-label-…`). Only this process's folders
  // count: other test files run at the same time and label files of their own.
  const ours = new RegExp(`^${process.pid}-t\\d+-label-`);
  const labelDirs = () => (existsSync(currentWorkRoot()) ? readdirSync(currentWorkRoot()).filter((f) => ours.test(f)).length : 0);
  const before = labelDirs();
  const mp4 = join(dir, 'tiny.mp4');
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=5:duration=0.4', '-c:v', 'libx264', '-preset', 'ultrafast', mp4]);
  await embedImplicitLabel(await readFile(mp4), 'video/mp4', payloadFor('art_tmp00001'));
  await assert.rejects(embedImplicitLabel(Buffer.from('\0\0\0\x18ftypisom\0\0\0\0isommoov'), 'video/mp4', payloadFor('art_tmp00002')));
  assert.equal(labelDirs(), before);
});
