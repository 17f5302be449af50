/**
 * Page side of the UNet check worker (used by end-to-end tests through the window hook).
 */
import type { UnetCheckEvent, UnetCheckRequest } from '../../workers/unetCheckProtocol';

type Result = Extract<UnetCheckEvent, { type: 'unet-check-result' }>;
let nextId = 1;

export function checkUnet(request: Omit<UnetCheckRequest, 'type' | 'id'>, timeoutMs = 300_000): Promise<Result> {
  const worker = new Worker(new URL('../../workers/unet-check.worker.ts', import.meta.url), { type: 'module' });
  const id = nextId++;
  return new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`UNet check gave no answer in ${timeoutMs} ms`)), timeoutMs);
    worker.onmessage = (event: MessageEvent<UnetCheckEvent>) => {
      clearTimeout(timer);
      if (event.data.type === 'unet-check-result') resolve(event.data);
      else reject(new Error(event.data.message));
    };
    worker.onerror = (event) => reject(new Error(event.message || 'the UNet check worker failed'));
    worker.postMessage({ type: 'unet-check', id, ...request } satisfies UnetCheckRequest);
  }).finally(() => worker.terminate());
}
