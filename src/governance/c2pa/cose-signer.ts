/**
 * The signer callback c2pa-wasm calls with the claim bytes. It must return the whole
 * COSE_Sign1 (RFC 9052, tag 18), padded to exactly `reserveSize` bytes: c2pa-rs reserved
 * that much room in the file before hashing it.
 */
import { sign, type KeyObject } from 'node:crypto';
import { encode as encodeCbor } from 'cborg';
import { ShenbiError } from '../../core/errors.ts';
import type { SigningKeys } from './keys.ts';

/** Room for the signature box: the chain (≈1 KB) + signature + padding, with a wide margin. */
export const COSE_RESERVE_SIZE = 8192;

const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;
const HEADER_X5CHAIN = 33;
const ALG_ES256 = -7;

/** Plain RFC 8949 CBOR (cborg: maps stay maps, byte strings stay untagged). */
function bytes(value: unknown): Buffer {
  return Buffer.from(encodeCbor(value));
}

/** Tag 18 (COSE_Sign1) is one byte, major type 6: 0xc0 | 18. */
function tagged18(value: unknown): Buffer {
  return Buffer.concat([Buffer.from([0xc0 | COSE_SIGN1_TAG]), bytes(value)]);
}

/** What c2pa-wasm's `sign` takes as its signer definition. */
export interface C2paSignerDefinition {
  readonly alg: 'es256';
  readonly reserveSize: number;
  sign(claim: Uint8Array): Promise<Uint8Array<ArrayBuffer>>;
}

/** COSE_Sign1 over the claim: protected {alg: ES256, x5chain}, unprotected {pad}, detached payload. */
export function coseSign1(claim: Uint8Array, privateKey: KeyObject, protectedHeader: Buffer, reserveSize: number): Uint8Array<ArrayBuffer> {
  const sigStructure = bytes(['Signature1', new Uint8Array(protectedHeader), new Uint8Array(0), new Uint8Array(claim.buffer, claim.byteOffset, claim.byteLength)]);
  // COSE wants the raw r‖s form (IEEE P1363), not the DER that X.509 uses.
  const signature = sign('sha256', sigStructure, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const encode = (padLength: number) =>
    tagged18([new Uint8Array(protectedHeader), new Map([['pad', new Uint8Array(padLength)]]), null, new Uint8Array(signature)]);
  const bare = encode(0).length; // counts a 1-byte header for the empty pad
  // The pad's length header takes 1, 2, 3 or 5 bytes; try each and keep the exact fit.
  for (const header of [1, 2, 3, 5]) {
    const pad = reserveSize - bare + 1 - header;
    if (pad < 0) continue;
    const out = encode(pad);
    if (out.length === reserveSize) return new Uint8Array(out.buffer, out.byteOffset, out.byteLength) as Uint8Array<ArrayBuffer>;
  }
  throw new ShenbiError('ENGINE_FAILED', `the COSE signature (${bare} bytes) cannot be padded to the ${reserveSize} bytes reserved for it`);
}

const protectedHeaders = new WeakMap<SigningKeys, Buffer>();

/** The signer definition for these keys (the protected header is encoded once per key set). */
export function c2paSignerFor(keys: SigningKeys): C2paSignerDefinition {
  let protectedHeader = protectedHeaders.get(keys);
  if (protectedHeader === undefined) {
    protectedHeader = bytes(new Map<number, unknown>([[HEADER_ALG, ALG_ES256], [HEADER_X5CHAIN, keys.chainDer.map((der) => new Uint8Array(der))]]));
    protectedHeaders.set(keys, protectedHeader);
  }
  const header = protectedHeader;
  return {
    alg: 'es256',
    reserveSize: COSE_RESERVE_SIZE,
    sign: async (claim) => coseSign1(claim, keys.privateKey, header, COSE_RESERVE_SIZE),
  };
}
