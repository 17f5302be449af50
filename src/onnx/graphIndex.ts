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
   * those within a few ops. torch's SDPA symbolic writes its √scale this way, from the query's shape:
   * Sqrt(Cast(Div(1, Sqrt(Cast(Slice(Shape(q))))))). The search stops at depth 16, so that an activation (whose
   * producers go back to the graph inputs through thousands of nodes) is answered without deep recursion.
   */
  isStatic(tensor: string, depth = 0): boolean {
    const known = this.staticMemo.get(tensor);
    if (known !== undefined) return known;
    if (this.isConstant(tensor)) return true;
    const node = this.producer.get(tensor);
    if (!node || depth >= 16) return false; // a graph input, or too far from any Shape to be a scale
    const result =
      node.opType === 'Shape' || node.opType === 'Size' || (node.input ?? []).every((i) => !i || this.isStatic(i, depth + 1));
    this.staticMemo.set(tensor, result);
    return result;
  }
}

/** Ops that pass one data tensor through without mixing in other data (layout or dtype changes). */
export const PASS_THROUGH_OPS = new Set(['Reshape', 'Transpose', 'Cast', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);
