/**
 * Bad input to the UNet instrumentation: clear errors, and the caller's bytes left untouched.
 */
import { describe, expect, it } from 'vitest';
import { instrumentUnet } from './index';
import { encodeModel, onnx } from './proto';

function info(name: string) {
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1 } } });
}

/** A tiny graph with the UNet's inputs; `nodes` decide what it computes. */
function tinyModel(nodes: { opType: string; name: string; input: string[]; output: string[] }[], opset = 14): Uint8Array {
  return encodeModel(
    onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: 'tiny',
        node: nodes.map((n) => onnx.NodeProto.create(n)),
        input: [info('sample'), info('timestep'), info('encoder_hidden_states')],
        output: [info('out_sample')],
      },
    }),
  );
}

const softmaxWithoutScores = [
  { opType: 'Softmax', name: '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/Softmax', input: ['sample'], output: ['p'] },
  { opType: 'MatMul', name: '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/MatMul_1', input: ['p', 'encoder_hidden_states'], output: ['out_sample'] },
];

describe('instrumentUnet rejects bad input clearly', () => {
  it('bytes that are not ONNX', () => {
    const junk = new TextEncoder().encode('this is not a model, just some text');
    expect(() => instrumentUnet(junk)).toThrow(/not an ONNX model/);
  });

  it('a graph with no attention', () => {
    const model = tinyModel([{ opType: 'Add', name: 'add', input: ['sample', 'sample'], output: ['out_sample'] }]);
    expect(() => instrumentUnet(model)).toThrow('no attention layers found');
  });

  it('an attention pattern it cannot classify names the node and writes nothing', () => {
    const model = tinyModel(softmaxWithoutScores);
    const before = model.slice();
    expect(() => instrumentUnet(model)).toThrow(
      'attention layer at node "/down_blocks.0/attentions.0/transformer_blocks.0/attn2/Softmax" cannot be classified: no Q·Kᵀ MatMul',
    );
    expect(model).toEqual(before);
  });

  it('a model whose opset lacks what the edit needs', () => {
    expect(() => instrumentUnet(tinyModel(softmaxWithoutScores, 9))).toThrow(/opset 9; the edit needs opset 11 or newer/);
  });

  it('a model that is not a diffusers UNet', () => {
    const model = encodeModel(
      onnx.ModelProto.create({
        irVersion: 7,
        opsetImport: [{ domain: '', version: 14 }],
        graph: { node: [onnx.NodeProto.create({ opType: 'Relu', input: ['x'], output: ['y'] })], input: [info('x')], output: [info('y')] },
      }),
    );
    expect(() => instrumentUnet(model)).toThrow(/expected inputs "sample" and "encoder_hidden_states", found x/);
  });
});
