import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Document, NodeIO } from '@gltf-transform/core';

/** A real, tiny GLB: one named triangle mesh in one scene, written by @gltf-transform/core. */
export async function tinyGlb(): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const position = doc.createAccessor('position').setType('VEC3').setArray(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0])).setBuffer(buffer);
  const mesh = doc.createMesh('triangle').addPrimitive(doc.createPrimitive().setAttribute('POSITION', position));
  doc.createScene('scene').addChild(doc.createNode('triangle').setMesh(mesh));
  return new NodeIO().writeBinary(doc);
}

/** A valid GLB with a scene but no mesh at all. */
export async function meshlessGlb(): Promise<Uint8Array> {
  const doc = new Document();
  doc.createScene('scene').addChild(doc.createNode('empty'));
  return new NodeIO().writeBinary(doc);
}

export function sendBytes(res: ServerResponse, bytes: Uint8Array, type = 'model/gltf-binary'): void {
  res.writeHead(200, { 'content-type': type, 'content-length': String(bytes.byteLength) });
  res.end(Buffer.from(bytes));
}

/**
 * Streams `total` bytes in 64 KiB chunks (with or without a Content-Length), stopping as soon
 * as the client hangs up. Resolves with the number of bytes written.
 */
export async function streamLarge(res: ServerResponse, total: number, declareLength: boolean): Promise<number> {
  res.writeHead(200, { 'content-type': 'model/gltf-binary', ...(declareLength ? { 'content-length': String(total) } : {}) });
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  const closed = once(res, 'close');
  while (sent < total && !res.destroyed) {
    const ok = res.write(chunk);
    sent += chunk.length;
    if (!ok) await Promise.race([once(res, 'drain'), closed]);
  }
  if (!res.destroyed) res.end();
  return sent;
}
