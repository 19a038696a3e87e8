/**
 * NumPy's .npy format (numpy.lib.format, versions 1–3): the magic "\x93NUMPY", a version, a
 * header length, a Python dict literal `{'descr': …, 'fortran_order': …, 'shape': (…), }`,
 * then the raw array. Only what joint arrays are made of is read: little-endian float32 or
 * float64 in C order; anything else (pickled objects, as MDM's results.npy is) is refused.
 */
import { ShenbiError } from '../../../core/errors.ts';

export interface NpyArray {
  shape: number[];
  /** The values in C order, widened to float64. */
  data: Float64Array;
}

export const npyInvalid = (reason: string): ShenbiError =>
  new ShenbiError('MEDIA_INVALID', `Not a readable .npy joint array: ${reason}.`, {
    details: { format: 'npy' },
    hint: 'Save the joint positions with numpy.save(path, joints.astype(np.float32)) as an array of shape (frames, 22, 3).',
  });

export const isNpy = (bytes: Uint8Array): boolean => bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY';

export function parseNpy(bytes: Uint8Array): NpyArray {
  if (!isNpy(bytes)) throw npyInvalid('it does not start with the magic "\\x93NUMPY"');
  if (bytes.length < 10) throw npyInvalid('the header is truncated');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw npyInvalid(`format version ${major}.${bytes[7]} is not 1, 2 or 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw npyInvalid('the header is truncated');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) throw npyInvalid('the header is truncated');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw npyInvalid('the header dict lacks descr, fortran_order or shape');
  if (fortran === 'True') throw npyInvalid('the array is in Fortran order; save it in C order (numpy.ascontiguousarray)');
  const itemSize = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (itemSize === 0) throw npyInvalid(`dtype ${descr} is not little-endian float32 (<f4) or float64 (<f8)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw npyInvalid(`the shape (${shapeText}) is not a tuple of sizes`);
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * itemSize;
  if (bytes.length - dataStart !== expected) throw npyInvalid(`the data holds ${bytes.length - dataStart} bytes where shape (${shape.join(', ')}) of ${descr} needs ${expected}${bytes.length - dataStart < expected ? ' (truncated)' : ''}`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = itemSize === 4 ? view.getFloat32(dataStart + i * 4, true) : view.getFloat64(dataStart + i * 8, true);
  return { shape, data };
}
