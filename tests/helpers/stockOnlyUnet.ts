/**
 * A UNet the attention instrumentation cannot take, that still runs and computes the same: every Softmax is
 * written out as Exp / ReduceSum / Div (as some exporters decompose it), so the matcher finds no attention
 * probabilities to edit. Used to check that such a model runs only when the user chooses the stock UNet.
 */
import { decodeModel, encodeModel, onnx, type NodeProto } from '../../src/onnx/proto';

export function decomposeSoftmax(unetBytes: Uint8Array): Uint8Array {
  const model = decodeModel(unetBytes);
  const graph = model.graph!;
  const nodes: NodeProto[] = [];
  let n = 0;
  graph.initializer!.push(onnx.TensorProto.create({ name: 'stock_only_axes', dataType: onnx.TensorProto.DataType.INT64, dims: [1], int64Data: [-1] }));
  for (const node of graph.node!) {
    if (node.opType !== 'Softmax') {
      nodes.push(node);
      continue;
    }
    const [x] = node.input!;
    const [y] = node.output!;
    const id = `stock_only_${n++}`;
    nodes.push(
      onnx.NodeProto.create({ name: `${id}/exp`, opType: 'Exp', input: [x], output: [`${id}_exp`] }),
      onnx.NodeProto.create({ name: `${id}/sum`, opType: 'ReduceSum', input: [`${id}_exp`, 'stock_only_axes'], output: [`${id}_sum`], attribute: [onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 })] }),
      onnx.NodeProto.create({ name: `${id}/div`, opType: 'Div', input: [`${id}_exp`, `${id}_sum`], output: [y] }),
    );
  }
  if (n === 0) throw new Error('the UNet has no Softmax to decompose');
  graph.node = nodes;
  return encodeModel(model);
}
