// The Automatic choice's timed UNet call (src/diffusion/unetTiming.ts) on the real toy model with
// onnxruntime-node: its inputs are a valid batch-4 call of the instrumented UNet (identity P2P, so the
// output equals the stock UNet's on the same inputs), and the time is the injected clock's difference.

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMING_PROMPTS, timingInputs, unetCallTimer } from '../diffusion/unetTiming';
import { maxAbsDiff } from '../../tests/helpers/fixtures';
import { TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { loadNodeModel, type NodeModel } from './nodeModel';

describe.skipIf(!existsSync(TOY_MODEL_DIR))('unetCallTimer on the toy model (onnxruntime-node)', () => {
  let instrumented: NodeModel;
  let stock: NodeModel;
  beforeAll(async () => {
    instrumented = await loadNodeModel(TOY_MODEL_DIR, { instrument: true, threads: 1 });
    stock = await loadNodeModel(TOY_MODEL_DIR, { instrument: false, threads: 1 });
  });
  afterAll(async () => {
    await instrumented?.dispose();
    await stock?.dispose();
  });

  it('times one batch-4 call with the clock it is given', async () => {
    let clock = 0;
    const ticks: number[] = [];
    const now = () => {
      clock += 25;
      ticks.push(clock);
      return clock;
    };
    const time = unetCallTimer(instrumented.backend, now);
    expect(await time()).toBe(25);
    expect(await time()).toBe(25);
    expect(ticks).toHaveLength(4); // two reads per call, none while making the inputs
    expect(await unetCallTimer(instrumented.backend, () => performance.now())()).toBeGreaterThan(0);
  });

  it('runs the instrumented UNet on the real workload: identity P2P output equals the stock UNet', async () => {
    const input = await timingInputs(instrumented.backend);
    const caps = instrumented.backend.capabilities;
    expect(input.sampleDims).toEqual([TIMING_PROMPTS * 2, caps.latentChannels, ...caps.latentSize!]);
    expect(input.p2p?.edits).toBe(TIMING_PROMPTS - 1);
    const edited = await instrumented.backend.unet(input);
    const plain = await stock.backend.unet({ ...input, p2p: undefined });
    expect(edited.attn?.length).toBeGreaterThan(0);
    expect(maxAbsDiff(edited.noise, plain.noise)).toBeLessThan(1e-4);
  });
});
