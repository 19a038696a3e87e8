import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concat } from '../../src/governance/implicit/bytes.ts';

// The carriers hand concat's result on to the C2PA worker and the worker pool, which transfer
// `.buffer`: it must be a plain Uint8Array owning exactly its bytes, small or large.
for (const [name, sizes] of [
  ['small (Buffer pool sized)', [3, 0, 17]],
  ['large (a video)', [40, 5_000_000, 1_234_567]],
] as const) {
  test(`implicit bytes: concat of ${name} parts joins them into a Uint8Array that owns its ArrayBuffer`, () => {
    const parts = sizes.map((size, index) => Uint8Array.from({ length: size }, (_, i) => (i * 7 + index) & 0xff));
    const joined = concat(parts);
    assert.equal(Object.getPrototypeOf(joined), Uint8Array.prototype);
    assert.equal(joined.byteOffset, 0);
    assert.equal(joined.buffer.byteLength, joined.byteLength);
    let at = 0;
    for (const part of parts) {
      assert.ok(Buffer.from(joined.subarray(at, at + part.length)).equals(part));
      at += part.length;
    }
    assert.equal(at, joined.length);
    // Its own memory: changing it leaves the parts alone.
    if (joined.length > 0) {
      joined[0] = (parts.find((p) => p.length > 0)![0]! + 1) & 0xff;
      assert.notEqual(joined[0], parts.find((p) => p.length > 0)![0]);
    }
  });
}
