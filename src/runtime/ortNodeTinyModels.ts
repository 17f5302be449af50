// Test support: writes a tiny diffusers-layout ONNX model folder (closed-form text encoder, UNet, VAE)
// so the onnxruntime-node backend and the pipeline run for real without the trained toy model.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

const F32 = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;
export const TINY = { hidden: 8, channels: 4, latent: 8, mapRes: 2 } as const;

type Dim = number | string;
const info = (name: string, elemType: number, dims: Dim[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
const floats = (name: string, dims: number[], values: number[]) => onnx.TensorProto.create({ name, dataType: F32, dims, floatData: values });
const ints = (name: string, values: number[]) => onnx.TensorProto.create({ name, dataType: I64, dims: [values.length], int64Data: values });
const node = (opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []) =>
  onnx.NodeProto.create({ opType, input, output, attribute, name: output[0] });
const intsAttr = (name: string, values: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const intAttr = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });

function encode(graph: onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'tiny-test', graph })).finish();
}

/** last_hidden_state[b, s, d] = input_ids[b, s] · (d + 1) · 1e-4 */
export function tinyTextEncoder(): Uint8Array {
  const D = TINY.hidden;
  return encode({
    name: 'text',
    input: [info('input_ids', I64, ['batch', 77])],
    output: [info('last_hidden_state', F32, ['batch', 77, D])],
    initializer: [floats('w', [1, 1, D], Array.from({ length: D }, (_, d) => (d + 1) * 1e-4)), ints('ax2', [2])],
    node: [node('Cast', ['input_ids'], ['idsf'], [intAttr('to', F32)]), node('Unsqueeze', ['idsf', 'ax2'], ['ids3']), node('Mul', ['ids3', 'w'], ['last_hidden_state'])],
  });
}

/**
 * out_sample = 0.1·sample + mean(context[b]) + 1e-4·timestep (+ 1e-3·Σ p2p_gain + 1e-2·p2p_self when
 * instrumented); p2p_attn[p, i, t] = [1; p2p_keep][p, t] for every pixel i.
 */
export function tinyUnet(instrumented: boolean): Uint8Array {
  const { channels: C, latent: L, hidden: D, mapRes: R } = TINY;
  const nodes = [
    node('Mul', ['sample', 'c01'], ['xs']),
    node('ReduceMean', ['encoder_hidden_states'], ['ctxMean'], [intsAttr('axes', [1, 2]), intAttr('keepdims', 1)]),
    node('Unsqueeze', ['ctxMean', 'ax3'], ['ctx4']),
    node('Cast', ['timestep'], ['tf'], [intAttr('to', F32)]),
    node('Mul', ['tf', 'c1e4'], ['ts']),
    node('Add', ['xs', 'ctx4'], ['a1']),
    node('Add', ['a1', 'ts'], [instrumented ? 'a2' : 'out_sample']),
  ];
  const input = [info('sample', F32, ['batch', C, L, L]), info('timestep', I64, [1]), info('encoder_hidden_states', F32, ['batch', 77, D])];
  const output = [info('out_sample', F32, ['batch', C, L, L])];
  if (instrumented) {
    input.push(info('p2p_map', F32, ['edits', 77, 77]), info('p2p_gain', F32, ['edits', 77]), info('p2p_keep', F32, ['edits', 77]), info('p2p_self', F32, [1]));
    output.push(info('p2p_attn', F32, ['prompts', R * R, 77]));
    nodes.push(
      node('ReduceSum', ['p2p_gain'], ['gsum'], [intAttr('keepdims', 0)]),
      node('Mul', ['gsum', 'c1e3'], ['gs']),
      node('Mul', ['p2p_self', 'c1e2'], ['ss']),
      node('Add', ['a2', 'gs'], ['a3']),
      node('Add', ['a3', 'ss'], ['out_sample']),
      node('Concat', ['ones77', 'p2p_keep'], ['keepP'], [intAttr('axis', 0)]),
      node('Unsqueeze', ['keepP', 'ax1'], ['keep3']),
      node('Expand', ['keep3', 'attnShape'], ['p2p_attn']),
    );
  }
  return encode({
    name: 'unet',
    input,
    output,
    initializer: [
      floats('c01', [], [0.1]), floats('c1e4', [], [1e-4]), floats('c1e3', [], [1e-3]), floats('c1e2', [], [1e-2]),
      floats('ones77', [1, 77], new Array<number>(77).fill(1)), ints('ax1', [1]), ints('ax3', [3]), ints('attnShape', [1, R * R, 1]),
    ],
    node: nodes,
  });
}

/** sample = tanh(latent_sample[:, 0:3]) upsampled ×2 (nearest). */
export function tinyVaeDecoder(): Uint8Array {
  return encode({
    name: 'vae',
    input: [info('latent_sample', F32, ['batch', TINY.channels, 'h', 'w'])],
    output: [info('sample', F32, ['batch', 3, 'H', 'W'])],
    initializer: [ints('s0', [0]), ints('s3', [3]), ints('ax', [1]), floats('roi', [0], []), floats('scales', [4], [1, 1, 2, 2])],
    node: [
      node('Slice', ['latent_sample', 's0', 's3', 'ax'], ['rgb']),
      node('Tanh', ['rgb'], ['t']),
      node('Resize', ['t', 'roi', 'scales'], ['sample'], [onnx.AttributeProto.create({ name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('nearest') })]),
    ],
  });
}

/** Writes the folder: the three models, scheduler/vae configs, and a CLIP tokenizer copied from `tokenizerDir`. */
export function writeTinyModel(dir: string, opts: { instrumented: boolean; tokenizerDir: string; schedulerConfig: object }): void {
  const put = (file: string, data: Uint8Array | string) => {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), data);
  };
  put('text_encoder/model.onnx', tinyTextEncoder());
  put('unet/model.onnx', tinyUnet(opts.instrumented));
  put('unet/config.json', JSON.stringify({ sample_size: TINY.latent, in_channels: TINY.channels }));
  put('vae_decoder/model.onnx', tinyVaeDecoder());
  put('vae_decoder/config.json', JSON.stringify({ scaling_factor: 0.5 }));
  put('scheduler/scheduler_config.json', JSON.stringify(opts.schedulerConfig));
  mkdirSync(join(dir, 'tokenizer'), { recursive: true });
  for (const f of ['vocab.json', 'merges.txt', 'tokenizer_config.json']) copyFileSync(join(opts.tokenizerDir, f), join(dir, 'tokenizer', f));
}
