import * as ort from 'onnxruntime-node';
import { ShenbiError } from '../../core/errors.ts';
import { fromHalf, toHalf } from './float16.ts';

type TensorInfo = { type: ort.Tensor.Type; shape: ReadonlyArray<number | string> };

function tensorInput(session: ort.InferenceSession, name: string): TensorInfo | undefined {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta && meta.isTensor ? { type: meta.type, shape: meta.shape } : undefined;
}

/** Fails with MODEL_INVALID, naming what is there, when a graph lacks the inputs or outputs of the published exports. */
export function requireIo(session: ort.InferenceSession, part: string, path: string, inputs: readonly string[], outputs: readonly string[]): void {
  const missingIn = inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length === 0 && missingOut.length === 0) return;
  throw new ShenbiError('MODEL_INVALID', `${path} does not look like a Stable Diffusion ${part}: it lacks ${[...missingIn.map((n) => `input ${n}`), ...missingOut.map((n) => `output ${n}`)].join(', ')}`, {
    details: { part, path, inputs: session.inputNames, outputs: session.outputNames, expectedInputs: inputs, expectedOutputs: outputs },
  });
}

export function hasInput(session: ort.InferenceSession, name: string): boolean {
  return session.inputNames.includes(name);
}

/** A fixed size of the input's first dimension, or undefined when it is symbolic. */
export function fixedBatch(session: ort.InferenceSession, name: string): number | undefined {
  const first = tensorInput(session, name)?.shape[0];
  return typeof first === 'number' && first > 0 ? first : undefined;
}

/** Width of a 2-D input's last dimension (LCM's `timestep_cond`: 256). */
export function lastDim(session: ort.InferenceSession, name: string, fallback: number): number {
  const last = tensorInput(session, name)?.shape.at(-1);
  return typeof last === 'number' && last > 0 ? last : fallback;
}

/** A float input in the dtype the graph declares (float32, or float16 for half-precision exports). */
export function floatTensor(session: ort.InferenceSession, name: string, data: Float32Array, dims: readonly number[]): ort.Tensor {
  const type = tensorInput(session, name)?.type ?? 'float32';
  if (type === 'float16') return new ort.Tensor('float16', toHalf(data), dims);
  if (type === 'float32') return new ort.Tensor('float32', data, dims);
  throw new ShenbiError('MODEL_INVALID', `input ${name} has dtype ${type}; expected float32 or float16`);
}

/** The UNet's `timestep`: int64 in the optimum and sd-turbo exports, float in older diffusers ones; rank as declared. */
export function timestepTensor(session: ort.InferenceSession, t: number): ort.Tensor {
  const info = tensorInput(session, 'timestep');
  const dims = info && info.shape.length === 0 ? [] : [1];
  switch (info?.type ?? 'int64') {
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.of(BigInt(Math.round(t))), dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.of(Math.round(t)), dims);
    case 'float16':
      return new ort.Tensor('float16', toHalf(Float32Array.of(t)), dims);
    case 'float32':
      return new ort.Tensor('float32', Float32Array.of(t), dims);
    default:
      throw new ShenbiError('MODEL_INVALID', `unet input timestep has dtype ${info?.type}; expected int64, int32, float32 or float16`);
  }
}

/** A float output as float32 values (converting half precision). */
export function readFloat(tensor: ort.Tensor | undefined, what: string): Float32Array {
  if (!tensor) throw new ShenbiError('ENGINE_FAILED', `the model returned no ${what}`);
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return fromHalf(tensor.data as Uint16Array);
  throw new ShenbiError('MODEL_INVALID', `${what} has dtype ${tensor.type}; expected float32 or float16`);
}
