// Which adapters get a subgroup-free device for onnxruntime (src/runtime/webgpu/ortDevice.ts).
import { describe, expect, it } from 'vitest';
import { MIN_SUBGROUP_SIZE, narrowSubgroups } from './ortDevice';

describe('narrowSubgroups', () => {
  it('is true only for adapters with the subgroups feature and subgroups narrower than 16 lanes', () => {
    // SwiftShader in headless Chromium: subgroups, 4 lanes.
    expect(narrowSubgroups(['subgroups', 'timestamp-query'], 4)).toBe(true);
    expect(narrowSubgroups(['subgroups'], 8)).toBe(true);
    expect(narrowSubgroups(['subgroups'], MIN_SUBGROUP_SIZE)).toBe(false);
    expect(narrowSubgroups(['subgroups'], 32)).toBe(false);
    // No subgroups: onnxruntime's subgroup kernels do not run; nothing to avoid.
    expect(narrowSubgroups(['timestamp-query'], 4)).toBe(false);
    // A browser that does not report the width: leave onnxruntime's default.
    expect(narrowSubgroups(['subgroups'], undefined)).toBe(false);
  });
});
