import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { Document, NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { isRendererAvailable, renderPreviews, renderThumbnail, renderTurntable } from '../../src/engines/scene3d/render/index.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const BACKGROUND = [0xe8, 0xe8, 0xe4];
const work = mkdtempSync(join(tmpdir(), 'shenbi-scene3d-render-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A 0.2 m red box centred at (0, 0.1, 0) (a model standing on the ground, as the kernel writes them), as GLB. */
async function redBoxGlb(): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const s = 0.1;
  const corners = [
    [-s, 0, -s], [s, 0, -s], [s, 2 * s, -s], [-s, 2 * s, -s],
    [-s, 0, s], [s, 0, s], [s, 2 * s, s], [-s, 2 * s, s],
  ];
  const quads = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 4, 7, 3], [1, 2, 6, 5], [3, 7, 6, 2], [0, 1, 5, 4]];
  const positions: number[] = [];
  const normals: number[] = [];
  for (const quad of quads) {
    const [a, b, c] = quad.map((i) => corners[i]!);
    const u = [b![0]! - a![0]!, b![1]! - a![1]!, b![2]! - a![2]!];
    const v = [c![0]! - a![0]!, c![1]! - a![1]!, c![2]! - a![2]!];
    const n = [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
    const length = Math.hypot(...n);
    for (const i of [0, 1, 2, 0, 2, 3]) {
      positions.push(...corners[quad[i]!]!);
      normals.push(...n.map((x) => x / length));
    }
  }
  const material = doc.createMaterial('red paper').setBaseColorFactor([0.8, 0.05, 0.03, 1]).setRoughnessFactor(0.8).setMetallicFactor(0);
  const primitive = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(positions)).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(normals)).setBuffer(buffer))
    .setMaterial(material);
  const node = doc.createNode('box').setMesh(doc.createMesh('box').addPrimitive(primitive));
  doc.createScene('scene').addChild(node);
  return new NodeIO().writeBinary(doc);
}

async function pixels(png: Uint8Array): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function isBackground(data: Buffer, width: number, x: number, y: number): boolean {
  const at = (y * width + x) * 3;
  return BACKGROUND.every((value, channel) => Math.abs(data[at + channel]! - value) <= 3);
}

const available = await isRendererAvailable();
/** The first test's thumbnail, which the second compares with renderPreviews' own. */
let thumbnail: Uint8Array | undefined;

test('the thumbnail draws the model: the centre is the box, the corners are background, same bytes twice', { skip: !available && 'no Chromium here' }, async () => {
  const glb = await redBoxGlb();
  const png = await renderThumbnail(glb, { width: 256, height: 256 });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'scene3d-thumbnail.png'), png);
  const { data, width, height } = await pixels(png);
  assert.deepEqual([width, height], [256, 256]);
  const centre: string[] = [];
  for (let dy = -4; dy <= 4; dy += 4) for (let dx = -4; dx <= 4; dx += 4) if (isBackground(data, width, 128 + dx, 128 + dy)) centre.push(`${dx},${dy}`);
  assert.deepEqual(centre, [], 'centre pixels are the model, not background');
  const at = (128 * width + 128) * 3;
  assert.ok(data[at]! > data[at + 1]! + 40 && data[at]! > data[at + 2]! + 40, `the box is red: rgb(${data[at]}, ${data[at + 1]}, ${data[at + 2]})`);
  for (const [x, y] of [[2, 2], [253, 2], [2, 253], [253, 253]] as const) assert.ok(isBackground(data, width, x, y), `corner ${x},${y} is background`);
  // Framed to the bounding box: the model fills a good part of the picture but is not cut off.
  let covered = 0;
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) if (!isBackground(data, width, x, y)) covered += 1;
  assert.ok(covered > width * height * 0.1 && covered < width * height * 0.8, `coverage ${covered / (width * height)}`);
  thumbnail = png;
});

test('renderPreviews gives both from one launch: the same thumbnail (deterministic), and a turntable MP4 of the asked duration and frame count', { skip: !available && 'no Chromium here' }, async () => {
  assert.ok(thumbnail, 'runs after the thumbnail test');
  const glb = await redBoxGlb();
  // Each launch of Chromium costs seconds: one call checks determinism, the shared launch and the turntable.
  const previews = await renderPreviews(glb, { width: 256, height: 256, seconds: 2, fps: 12, turntable: true });
  assert.deepEqual(previews.thumbnail, thumbnail, 'the same bytes as renderThumbnail drew');
  const mp4 = previews.turntable!;
  const path = join(work, 'turntable.mp4');
  writeFileSync(path, mp4);
  const probe = await probeMedia(path);
  const video = probe.streams.find((s) => s.type === 'video');
  assert.equal(video?.codec, 'h264');
  assert.deepEqual([video?.width, video?.height], [256, 256]);
  assert.equal(video?.fps, 12);
  assert.ok(Math.abs(probe.duration - 2) < 0.1, `duration ${probe.duration}`);
  assert.equal(probe.streams.filter((s) => s.type === 'audio').length, 0);
});

test('bad input: not a GLB, a GLB without geometry, bad options, a missing Chromium, a cancelled job', async () => {
  const code = (c: string) => (error: unknown) => error instanceof ShenbiError && error.code === c;
  await assert.rejects(renderThumbnail(new TextEncoder().encode('solid cube\nendsolid cube\n')), code('MEDIA_INVALID'));
  await assert.rejects(renderThumbnail(await redBoxGlb(), { width: 10 }), code('INVALID_INPUT'));
  await assert.rejects(renderThumbnail(await redBoxGlb(), { background: 'red' }), code('INVALID_INPUT'));
  const missing = renderThumbnail(await redBoxGlb(), { executablePath: join(work, 'no-chromium') });
  await assert.rejects(missing, (error: unknown) => code('ENGINE_UNAVAILABLE')(error) && /Chromium not found/.test((error as Error).message) && /SHENBI_CHROMIUM/.test((error as ShenbiError).hint ?? ''));
  assert.equal(await isRendererAvailable({ executablePath: join(work, 'no-chromium') }), false);
  const cancelled = new AbortController();
  cancelled.abort();
  await assert.rejects(renderThumbnail(await redBoxGlb(), { signal: cancelled.signal }), (error: unknown) => error instanceof Error && (code('JOB_CANCELLED')(error) || error.name === 'AbortError'));
  if (!available) return;
  const empty = new Document();
  empty.createScene('empty').addChild(empty.createNode('nothing'));
  await assert.rejects(renderThumbnail(await new NodeIO().writeBinary(empty)), (error: unknown) => code('MEDIA_INVALID')(error) && /no geometry/.test((error as Error).message));
  // Cancelled mid-turntable: the browser closes and the call ends promptly as cancelled.
  const midway = new AbortController();
  const long = renderTurntable(await redBoxGlb(), { width: 128, height: 128, seconds: 20, fps: 24, signal: midway.signal });
  setTimeout(() => midway.abort(), 1500);
  await assert.rejects(long, code('JOB_CANCELLED'));
  await assert.rejects(renderTurntable(await redBoxGlb(), { width: 128, height: 128, seconds: 20, fps: 24, timeoutMs: 1500 }), code('ENGINE_TIMEOUT'));
});
