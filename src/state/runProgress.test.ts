import { describe, expect, it } from 'vitest';
import { loadingText, runningText } from './runProgress';

describe('run progress text', () => {
  it('gives the call, the speed and the time left from the calls so far', () => {
    expect(runningText(0, 20, 0)).toBe('UNet call 0 of 20');
    expect(runningText(5, 20, 2000)).toBe('UNet call 5 of 20 · 2.5 calls/s · about 6 s left');
    expect(runningText(2, 10, 8000)).toBe('UNet call 2 of 10 · 4.0 s per call · about 32 s left');
    expect(runningText(10, 10, 4000)).toBe('UNet call 10 of 10 · 2.5 calls/s');
    expect(runningText(3, 0, 100)).toBe('UNet call 3 of …');
  });

  it('says which file loads, with sizes, then that its session is being created', () => {
    expect(loadingText()).toBe('Loading the model…');
    expect(loadingText({ file: 'unet/model.onnx', loaded: 3 * 2 ** 20, total: 8 * 2 ** 20 })).toBe('Loading the model: reading unet/model.onnx (3.0 of 8.0 MiB)…');
    expect(loadingText({ file: 'unet/model.onnx', loaded: 8, total: 8 })).toBe('Loading the model: preparing unet/model.onnx (creating its session)…');
  });
});
