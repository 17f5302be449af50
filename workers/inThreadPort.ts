// The engine without a Worker: an EnginePort over an EngineHandler in this thread, so Node tools and
// tests use the same EngineClient (and Engine interface) as the page.

import type { EnginePort } from './engineClient';
import { EngineHandler, type EngineHandlerOptions } from './engineHandler';
import type { EngineEvent } from './protocol';

export function inThreadPort(options: Omit<EngineHandlerOptions, 'post'>): EnginePort {
  let listener: ((event: EngineEvent) => void) | null = null;
  // Events are delivered on a later microtask, as a worker's would be, never inside `post`.
  const handler = new EngineHandler({ ...options, post: (event) => queueMicrotask(() => listener?.(event)) });
  return {
    post: (request) => handler.handle(request),
    listen: (onEvent) => {
      listener = onEvent;
    },
    close: () => {
      listener = null;
      void handler.dispose();
    },
  };
}
