// GraphIndex.isStatic: constants and Shape-derived values are static, anything fed by a graph input is not, and
// the answer does not depend on which tensors were asked about before.
import { describe, expect, it } from 'vitest';
import { GraphIndex } from './graphIndex';
import type { GraphProto } from './proto';

/** x → Shape → 10 Casts → 8 Adds with a constant: a long but purely shape-derived chain; y = Mul(x, top). */
function chain(): GraphProto {
  const node: GraphProto['node'] = [{ opType: 'Shape', input: ['x'], output: ['s0'] }];
  let last = 's0';
  for (let i = 0; i < 10; i++) node.push({ opType: 'Cast', input: [last], output: [`c${i}`] }), (last = `c${i}`);
  for (let i = 0; i < 8; i++) node.push({ opType: 'Add', input: [last, 'one'], output: [`a${i}`] }), (last = `a${i}`);
  node.push({ opType: 'Mul', input: ['x', last], output: ['y'] });
  return { node, input: [{ name: 'x' }], initializer: [{ name: 'one' }] };
}

describe('GraphIndex.isStatic', () => {
  it('tells shape-derived values from data, whatever the order of the questions', () => {
    const a = new GraphIndex(chain());
    expect(a.isStatic('a7')).toBe(true);
    expect(a.isStatic('s0')).toBe(true);
    expect(a.isStatic('y')).toBe(false);
    expect(a.isStatic('x')).toBe(false);
    const b = new GraphIndex(chain());
    expect(b.isStatic('y')).toBe(false);
    expect(b.isStatic('c3')).toBe(true);
    expect(b.isStatic('a7')).toBe(true);
  });

  it('says no for a large subgraph without inputs rather than walking it all', () => {
    const node: GraphProto['node'] = [];
    let last = 'one';
    for (let i = 0; i < 100; i++) node.push({ opType: 'Add', input: [last, 'one'], output: [`t${i}`] }), (last = `t${i}`);
    const g = new GraphIndex({ node, initializer: [{ name: 'one' }] });
    expect(g.isStatic('t99')).toBe(false);
    expect(g.isStatic('t10')).toBe(true);
  });
});
