/**
 * Lookups over a graph: which node produces a tensor, which nodes consume it, which names are
 * initializers or graph inputs.
 */
import type { GraphProto, NodeProto } from './proto';

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Set<string>();
  readonly inputs = new Set<string>();

  constructor(readonly graph: GraphProto) {
    for (const node of graph.node ?? []) {
      for (const out of node.output ?? []) this.producer.set(out, node);
      for (const inp of node.input ?? []) {
        if (!inp) continue;
        const list = this.consumers.get(inp);
        if (list) list.push(node);
        else this.consumers.set(inp, [node]);
      }
    }
    for (const init of graph.initializer ?? []) if (init.name) this.initializers.add(init.name);
    for (const input of graph.input ?? []) if (input.name && !this.initializers.has(input.name)) this.inputs.add(input.name);
  }

  consumersOf(tensor: string): NodeProto[] {
    return this.consumers.get(tensor) ?? [];
  }

  /** Whether a tensor is a constant: an initializer or a Constant node's output. */
  isConstant(tensor: string): boolean {
    return this.initializers.has(tensor) || this.producer.get(tensor)?.opType === 'Constant';
  }

  private readonly staticMemo = new Map<string, boolean>();

  /**
   * Whether a tensor carries no activation data: a constant, a tensor's Shape (or Size), or computed only from
   * those. torch's SDPA symbolic writes its √scale this way, from the query's shape:
   * Sqrt(Cast(Div(1, Sqrt(Cast(Slice(Shape(q))))))). The search walks the tensor's producers until it meets a
   * graph input (data) or has seen 64 nodes (such a subgraph is no scale; an activation's producers would go back
   * through thousands of nodes), so every answer costs a bounded walk and does not depend on earlier queries.
   */
  isStatic(tensor: string): boolean {
    const known = this.staticMemo.get(tensor);
    if (known !== undefined) return known;
    const seen = new Set<string>();
    const stack = [tensor];
    let result = true;
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen.has(t) || this.isConstant(t)) continue;
      seen.add(t);
      const node = this.producer.get(t);
      if (!node || seen.size > 64) {
        result = false; // a graph input, or too large a subgraph to be a scale
        break;
      }
      if (node.opType === 'Shape' || node.opType === 'Size') continue;
      for (const input of node.input ?? []) if (input) stack.push(input);
    }
    this.staticMemo.set(tensor, result);
    return result;
  }
}

/** Ops that pass one data tensor through without mixing in other data (layout or dtype changes). */
export const PASS_THROUGH_OPS = new Set(['Reshape', 'Transpose', 'Cast', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);
