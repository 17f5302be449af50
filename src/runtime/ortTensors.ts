// Reading a session's input/output metadata and building ORT tensors of the dtype a graph declares
// (timestep float32/int64, input_ids int32/int64, p2p_self float/bool, fp16 graphs), for any ORT build.

import type { InferenceSession, Tensor, TensorConstructor } from 'onnxruntime-common';
import { fromHalf, toHalf } from './float16';

export type Metadata = InferenceSession.ValueMetadata;

export interface ValueSpec {
  name: string;
  type: Tensor.Type;
  shape: ReadonlyArray<number | string>;
}

/** The tensor metadata of a session's inputs or outputs by name. */
export function specs(list: readonly Metadata[]): Map<string, ValueSpec> {
  const out = new Map<string, ValueSpec>();
  for (const m of list) {
    if (m.isTensor) out.set(m.name, { name: m.name, type: m.type, shape: m.shape });
  }
  return out;
}

/** The value named `preferred`, else the only / first candidate, or an error naming what exists. */
export function pick(values: Map<string, ValueSpec>, preferred: string[], what: string, exclude: (n: string) => boolean = () => false): ValueSpec {
  for (const name of preferred) {
    const v = values.get(name);
    if (v) return v;
  }
  const rest = [...values.values()].filter((v) => !exclude(v.name));
  if (rest.length === 0) throw new Error(`${what}: the graph has no such value (has ${[...values.keys()].join(', ') || 'nothing'})`);
  return rest[0];
}

/** A typed array over part of its buffer (ORT is handed whole buffers only, to be safe). */
function isView(a: Float32Array | Int32Array): boolean {
  return a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength;
}

/**
 * A tensor of `type` from numbers (float or integer), for the input types the diffusers exports use;
 * `Ctor` is the Tensor class of the ORT build in use (onnxruntime-node or onnxruntime-web).
 */
export function makeTensor(Ctor: TensorConstructor, type: Tensor.Type, values: ArrayLike<number>, dims: readonly number[]): Tensor {
  switch (type) {
    case 'float32':
      return new Ctor('float32', values instanceof Float32Array && !isView(values) ? values : Float32Array.from(values), dims);
    case 'float64':
      return new Ctor('float64', Float64Array.from(values), dims);
    case 'float16':
      return new Ctor('float16', toHalf(values), dims);
    case 'int64':
      return new Ctor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(Math.round(v)))), dims);
    case 'int32':
      return new Ctor('int32', values instanceof Int32Array && !isView(values) ? values : Int32Array.from(values, (v) => Math.round(v)), dims);
    case 'bool':
      return new Ctor('bool', Uint8Array.from(values, (v) => (v ? 1 : 0)), dims);
    default:
      throw new Error(`input type ${type} is not supported (float32, float16, float64, int32, int64, bool)`);
  }
}

/** A float32 copy of an output tensor, or an error for types this backend does not convert. */
export async function readFloat(tensor: Tensor | undefined, what: string): Promise<Float32Array> {
  if (!tensor) throw new Error(`${what}: missing from the outputs`);
  // Outputs kept on the GPU (preferredOutputLocation) are downloaded first.
  const data = tensor.location === 'cpu' || tensor.location === 'cpu-pinned' ? tensor.data : await tensor.getData();
  if (tensor.type === 'float32') return (data as Float32Array).slice();
  if (tensor.type === 'float64') return Float32Array.from(data as Float64Array);
  // float16 arrives as Uint16Array bits (or a Float16Array where the platform has one).
  if (tensor.type === 'float16') {
    const values = data as ArrayLike<number>;
    return values instanceof Uint16Array ? fromHalf(values) : Float32Array.from(values);
  }
  throw new Error(`${what}: output type ${tensor.type} is not supported (float32, float16, float64)`);
}

/** A numeric dimension, or null for a symbolic / unknown one. */
export function fixedDim(shape: ReadonlyArray<number | string>, i: number): number | null {
  const d = shape[i];
  return typeof d === 'number' && d > 0 ? d : null;
}
