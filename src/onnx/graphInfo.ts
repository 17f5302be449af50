/**
 * What a model layout needs to know about a graph, read straight from the protobuf wire format without
 * decoding nodes or touching weights: the graph's inputs and outputs (names, element types, dims or dim
 * names), the element count of its initializers per data type, the external-data files they name, and
 * how many nodes of each operator it has. No dependency (not even onnx-proto), so the download planner's
 * callers stay small; raw weight bytes are skipped, never copied. Errors read like protobufjs's ("invalid wire
 * type", "index out of range"), which the loaders recognise as an unreadable graph. Pure: no DOM, no Node, no runtime.
 */
import { NotOnnxError } from './notOnnx';

/** One graph input or output. `dims`: a number (static), a string (dim_param), or null (unknown); undefined = no shape. */
export interface GraphValue {
  name: string;
  /** onnx TensorProto.DataType (1 FLOAT, 10 FLOAT16, 6 INT32, 7 INT64, …); 0 when not a tensor. */
  elemType: number;
  dims?: (number | string | null)[];
}

export interface GraphInfo {
  /** Inputs that are not initializers (older exports also list their weights as inputs). */
  inputs: GraphValue[];
  outputs: GraphValue[];
  /** Elements of the initializers per data type (dims product), embedded or external alike. */
  weightElements: Record<number, number>;
  /** `location` of every initializer stored as external data, in order of first use. */
  externalData: string[];
  /** Nodes of the main graph per op_type (e.g. `Resize` counts a VAE decoder's upsamplers). */
  ops: Record<string, number>;
}

/** onnx TensorProto.DataType names used in messages. */
export const ELEM_TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16',
};

export function elemTypeName(type: number): string {
  return ELEM_TYPE_NAMES[type] ?? `type ${type}`;
}

/** A protobuf wire-format cursor over `bytes[start, end)`. */
class Wire {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new NotOnnxError(`index out of range: ${this.pos} + 1 > ${this.end}`);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new NotOnnxError(`invalid varint encoding at offset ${this.pos}`);
  }

  /** The next field: its number, wire type, and for length-delimited fields its byte range. */
  field(): { no: number; wire: number; start: number; stop: number } {
    const tag = this.varint();
    const wire = tag % 8;
    const no = Math.floor(tag / 8);
    if (wire === 2) {
      const len = this.varint();
      const start = this.pos;
      if (start + len > this.end) throw new NotOnnxError(`index out of range: ${start} + ${len} > ${this.end}`);
      this.pos = start + len;
      return { no, wire, start, stop: start + len };
    }
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new NotOnnxError(`invalid wire type ${wire} at offset ${this.pos}`);
    if (this.pos > this.end) throw new NotOnnxError(`index out of range: ${this.pos} > ${this.end}`);
    return { no, wire, start: this.pos, stop: this.pos };
  }

  /** A cursor over a sub-message's bytes. */
  sub(start: number, stop: number): Wire {
    return new Wire(this.bytes, start, stop);
  }
}

/** UTF-8 text of `bytes[start, stop)` (names are short; no TextDecoder in the pure build). */
function utf8(bytes: Uint8Array, start: number, stop: number): string {
  let out = '';
  for (let i = start; i < stop; ) {
    const b = bytes[i++];
    let cp = b;
    if (b >= 0xf0) cp = ((b & 0x07) << 18) | ((bytes[i++] & 0x3f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f);
    else if (b >= 0xe0) cp = ((b & 0x0f) << 12) | ((bytes[i++] & 0x3f) << 6) | (bytes[i++] & 0x3f);
    else if (b >= 0xc0) cp = ((b & 0x1f) << 6) | (bytes[i++] & 0x3f);
    out += String.fromCodePoint(cp);
  }
  return out;
}

/** Reads a varint field's value: `field()` skipped it, so step back to its start by re-parsing the tag. */
function varintAt(w: Wire, tagStart: number): number {
  const r = w.sub(tagStart, w.end);
  r.varint(); // the tag
  return r.varint();
}

/** The fields of a message: number, wire type, payload range, and where the tag starts (`at`). */
function* fields(w: Wire): Generator<{ no: number; wire: number; start: number; stop: number; at: number }> {
  while (!w.done) {
    const at = w.pos;
    yield { ...w.field(), at };
  }
}

function readDim(w: Wire): number | string | null {
  let value: number | string | null = null;
  for (const f of fields(w)) {
    if (f.no === 1 && f.wire === 0) {
      const v = varintAt(w, f.at);
      value = v <= Number.MAX_SAFE_INTEGER ? v : null; // a negative dim_value (-1 = unknown) is 10 bytes
    } else if (f.no === 2 && f.wire === 2) value = utf8(w.bytes, f.start, f.stop) || null;
  }
  return value;
}

/** ValueInfoProto: name (1), type (2) → TypeProto.tensor_type (1) → elem_type (1), shape (2) → dim (1). */
function readValue(w: Wire): GraphValue {
  const out: GraphValue = { name: '', elemType: 0 };
  for (const f of fields(w)) {
    if (f.no === 1 && f.wire === 2) out.name = utf8(w.bytes, f.start, f.stop);
    if (f.no !== 2 || f.wire !== 2) continue;
    const type = w.sub(f.start, f.stop);
    for (const t of fields(type)) {
      if (t.no !== 1 || t.wire !== 2) continue;
      const tensor = type.sub(t.start, t.stop);
      for (const g of fields(tensor)) {
        if (g.no === 1 && g.wire === 0) out.elemType = varintAt(tensor, g.at);
        if (g.no === 2 && g.wire === 2) {
          const shape = tensor.sub(g.start, g.stop);
          out.dims = [];
          for (const d of fields(shape)) if (d.no === 1 && d.wire === 2) out.dims.push(readDim(shape.sub(d.start, d.stop)));
        }
      }
    }
  }
  return out;
}

/** TensorProto: dims (1, packed or not), data_type (2), name (8), external_data (13) → key (1), value (2). */
function readInitializer(w: Wire): { name: string; type: number; elements: number; location?: string } {
  const out: { name: string; type: number; elements: number; location?: string } = { name: '', type: 0, elements: 1 };
  for (const f of fields(w)) {
    if (f.no === 1 && f.wire === 0) out.elements *= varintAt(w, f.at);
    else if (f.no === 1 && f.wire === 2) {
      const packed = w.sub(f.start, f.stop);
      while (!packed.done) out.elements *= packed.varint();
    } else if (f.no === 2 && f.wire === 0) out.type = varintAt(w, f.at);
    else if (f.no === 8 && f.wire === 2) out.name = utf8(w.bytes, f.start, f.stop);
    else if (f.no === 13 && f.wire === 2) {
      const entry = w.sub(f.start, f.stop);
      let key = '';
      let value = '';
      for (const e of fields(entry)) {
        if (e.no === 1 && e.wire === 2) key = utf8(entry.bytes, e.start, e.stop);
        if (e.no === 2 && e.wire === 2) value = utf8(entry.bytes, e.start, e.stop);
      }
      if (key === 'location') out.location = value;
    }
  }
  return out;
}

/** NodeProto's op_type (4). */
function readOpType(w: Wire): string {
  for (const f of fields(w)) if (f.no === 4 && f.wire === 2) return utf8(w.bytes, f.start, f.stop);
  return '';
}

/**
 * The graph facts of an ONNX ModelProto. Throws NotOnnxError (message "not an ONNX model: …", which the
 * loaders' unreadable-graph check recognises) when the bytes are no ONNX model.
 */
export function readGraphInfo(bytes: Uint8Array): GraphInfo {
  const model = new Wire(bytes, 0, bytes.byteLength);
  let irVersion = 0;
  let graph: Wire | undefined;
  for (const f of fields(model)) {
    if (f.no === 1 && f.wire === 0) irVersion = varintAt(model, f.at);
    if (f.no === 7 && f.wire === 2) graph = model.sub(f.start, f.stop);
  }
  if (!graph || irVersion <= 0) throw new NotOnnxError('no graph or no IR version');
  const info: GraphInfo = { inputs: [], outputs: [], weightElements: {}, externalData: [], ops: {} };
  const weights = new Set<string>();
  const inputs: GraphValue[] = [];
  let nodes = 0;
  for (const f of fields(graph)) {
    if (f.wire !== 2) continue;
    const sub = graph.sub(f.start, f.stop);
    if (f.no === 1) {
      nodes += 1;
      const op = readOpType(sub);
      info.ops[op] = (info.ops[op] ?? 0) + 1;
    } else if (f.no === 5) {
      const init = readInitializer(sub);
      weights.add(init.name);
      info.weightElements[init.type] = (info.weightElements[init.type] ?? 0) + init.elements;
      if (init.location !== undefined && !info.externalData.includes(init.location)) info.externalData.push(init.location);
    } else if (f.no === 11) inputs.push(readValue(sub));
    else if (f.no === 12) info.outputs.push(readValue(sub));
  }
  if (nodes === 0) throw new NotOnnxError('the graph has no nodes');
  info.inputs = inputs.filter((i) => !weights.has(i.name));
  return info;
}
