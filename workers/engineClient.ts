// The engine seen from the page: the one place owning the engine Worker. Calls take an AbortSignal,
// events arrive typed, and `error` events are rebuilt as EngineError (code kept) rejecting the call.

import type {
  AttentionMessage,
  CacheRef,
  DownloadedMessage,
  DownloadMessage,
  DoneMessage,
  EngineErrorCode,
  EngineEvent,
  EngineGenerateRequest,
  EngineRequest,
  ImageMessage,
  LoadingMessage,
  PreviewMessage,
  ProgressMessage,
  ProviderPreference,
  ReadyMessage,
} from './protocol';
import type { BackendMeasurement } from '../src/models/backendChoice';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** The run the error belongs to (-1: the engine itself). */
    readonly runId: number,
    /** Download errors: the file, the HTTP status, the model layer's own code (`server`, `length`, …). */
    readonly info: { file?: string; status?: number; detail?: string } = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Where requests go and events come from: the engine Worker, or an in-thread handler (Node, tests). */
export interface EnginePort {
  post(request: EngineRequest): void;
  listen(onEvent: (event: EngineEvent) => void, onFailure: (message: string) => void): void;
  close(): void;
}

/** The engine in a module worker (Vite bundles `engine.worker.ts` as its own chunk). */
export function workerPort(): EnginePort {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'p2p-engine' });
  return {
    post: (request) => worker.postMessage(request),
    listen(onEvent, onFailure) {
      worker.onmessage = (e: MessageEvent<EngineEvent>) => onEvent(e.data);
      worker.onerror = (e) => onFailure(e.message || 'the engine worker failed (script error or failed to start)');
      worker.onmessageerror = () => onFailure('a message from the engine worker could not be read');
    },
    close: () => worker.terminate(),
  };
}

export interface LoadOptions {
  provider?: ProviderPreference;
  /** 'auto': whether WebAssembly can run this model, and a remembered measurement (see LoadRequest). */
  wasmViable?: boolean;
  remembered?: BackendMeasurement;
  signal?: AbortSignal;
  onLoading?: (event: LoadingMessage) => void;
  /** Load through the browser cache (download what is missing, then read from the cache). */
  cache?: CacheRef;
  /** Run the stock UNet when it cannot be instrumented (the user chose it: no edits). */
  allowStockUnet?: boolean;
  onDownload?: (event: DownloadMessage) => void;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onDownload?: (event: DownloadMessage) => void;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressMessage) => void;
  onAttention?: (event: AttentionMessage) => void;
  onPreview?: (event: PreviewMessage) => void;
  onImage?: (event: ImageMessage) => void;
}

export interface GenerateOutcome {
  id: number;
  images: ImageMessage[];
  done: DoneMessage;
}

export interface EngineClientOptions {
  /** Default: the module worker. */
  port?: () => EnginePort;
  /** Restart the engine when a run gets no event for this long (ms); off by default (SD on wasm is slow). */
  stallTimeoutMs?: number;
}

/** What the Studio needs from an engine, wherever it runs. */
export interface Engine {
  load(baseUrl: string, options?: LoadOptions): Promise<ReadyMessage>;
  /** Downloads a model into the browser cache without loading it. */
  download(cache: CacheRef, options?: DownloadOptions): Promise<DownloadedMessage>;
  generate(request: EngineGenerateRequest, options?: GenerateOptions): Promise<GenerateOutcome>;
  /** Ends the engine; pending calls reject with `cancelled`. A later call starts a fresh one (not loaded). */
  terminate(): void;
}

interface Pending {
  onEvent(event: EngineEvent): void;
  fail(error: EngineError): void;
}

let nextId = 1;

export class EngineClient implements Engine {
  private port: EnginePort | null = null;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: EngineClientOptions = {}) {}

  load(baseUrl: string, options: LoadOptions = {}): Promise<ReadyMessage> {
    // Resolved against the page, not the worker chunk's URL.
    const url = typeof location === 'undefined' ? baseUrl : new URL(baseUrl, location.href).href;
    const extra = {
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.wasmViable !== undefined ? { wasmViable: options.wasmViable } : {}),
      ...(options.remembered ? { remembered: options.remembered } : {}),
      ...(options.allowStockUnet ? { allowStockUnet: true } : {}),
    };
    return this.call<ReadyMessage>({ type: 'load', id: nextId++, baseUrl: url, provider: options.provider ?? 'auto', ...extra }, options.signal, (event, resolve) => {
      if (event.type === 'loading') options.onLoading?.(event);
      else if (event.type === 'download') options.onDownload?.(event);
      else if (event.type === 'ready') resolve(event);
    });
  }

  download(cache: CacheRef, options: DownloadOptions = {}): Promise<DownloadedMessage> {
    return this.call<DownloadedMessage>({ type: 'download', id: nextId++, cache }, options.signal, (event, resolve) => {
      if (event.type === 'download') options.onDownload?.(event);
      else if (event.type === 'downloaded') resolve(event);
    });
  }

  generate(request: EngineGenerateRequest, options: GenerateOptions = {}): Promise<GenerateOutcome> {
    const id = nextId++;
    const images: ImageMessage[] = [];
    return this.call<GenerateOutcome>({ type: 'generate', id, request }, options.signal, (event, resolve) => {
      switch (event.type) {
        case 'progress':
          return options.onProgress?.(event);
        case 'attention':
          return options.onAttention?.(event);
        case 'preview':
          return options.onPreview?.(event);
        case 'image':
          images.push(event);
          return options.onImage?.(event);
        case 'done':
          return resolve({ id, images, done: event });
        case 'download':
        case 'downloaded':
        case 'loading':
        case 'ready':
        case 'error':
          return;
        default: {
          const unknown: never = event;
          throw new Error(`unknown engine event ${JSON.stringify(unknown)}`);
        }
      }
    });
  }

  terminate(): void {
    this.port?.close();
    this.port = null;
    this.failAll('cancelled', 'the engine was terminated');
  }

  private ensurePort(): EnginePort {
    if (this.port) return this.port;
    const port = (this.options.port ?? workerPort)();
    port.listen(
      (event) => this.pending.get(event.id)?.onEvent(event),
      (message) => {
        // A worker that failed is not trusted again: the next call starts a fresh one.
        port.close();
        if (this.port === port) this.port = null;
        this.failAll('internal', message);
      },
    );
    this.port = port;
    return port;
  }

  private failAll(code: EngineErrorCode, message: string): void {
    for (const [id, p] of [...this.pending]) p.fail(new EngineError(code, message, id));
  }

  /** Posts `request` and settles on its final event; `error` events and aborts reject with EngineError. */
  private call<T>(request: Exclude<EngineRequest, { type: 'cancel' }>, signal: AbortSignal | undefined, onEvent: (event: EngineEvent, resolve: (value: T) => void) => void): Promise<T> {
    const { id } = request;
    if (signal?.aborted) return Promise.reject(new EngineError('cancelled', 'aborted before it started', id));
    const port = this.ensurePort();
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stall = this.options.stallTimeoutMs;
      const touch = () => {
        if (stall === undefined) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.port?.close();
          this.port = null;
          this.failAll('internal', `the engine sent nothing for ${stall} ms and was restarted`);
        }, stall);
      };
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: EngineError) => {
        finish();
        reject(error);
      };
      // The caller is answered at once; the worker's own `cancelled` event arrives later and is ignored.
      const onAbort = () => {
        this.port?.post({ type: 'cancel', id });
        fail(new EngineError('cancelled', 'cancelled', id));
      };
      this.pending.set(id, {
        fail,
        onEvent: (event) => {
          touch();
          if (event.type === 'error') return fail(new EngineError(event.code, event.message, id, { file: event.file, status: event.status, detail: event.detail }));
          onEvent(event, (value) => {
            finish();
            resolve(value);
          });
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      touch();
      port.post(request);
    });
  }
}
