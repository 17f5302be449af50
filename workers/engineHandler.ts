// The engine's message handler as a plain class (no worker globals), so Node tests drive it with the
// real onnxruntime-node backend: one job at a time, a new generate cancels the running one.

import type { InstrumentReport } from '../src/onnx';
import type { PipelineModel } from '../src/diffusion';
import { AbortError } from '../src/diffusion';
import { EngineFailure, toEngineError } from './engineErrors';
import { createLatentPreview, type LatentPreview } from './latentPreview';
import type { OverallProgress } from '../src/models';
import type { BackendChoice } from '../src/models/backendChoice';
import { transferablesOf, type BackendKind, type DownloadRequest, type EngineEvent, type InstrumentSummary, type LoadRequest, type ModelInfo } from './protocol';
import { checkRequest } from './requestCheck';
import { runGeneration } from './runGeneration';

/** A loaded model as a factory returns it (web: `loadWebModel`; tests and CLI: `loadNodeModel`). */
export interface EngineModel {
  pipeline: PipelineModel;
  backend: BackendKind;
  /** Why WebGPU was not used although preferred. */
  fallbackReason?: string;
  /** Which backend runs and why (web engine). */
  choice?: BackendChoice;
  report?: InstrumentReport;
  /** Why the UNet could not be instrumented, when that failed and the stock UNet runs instead. */
  instrumentError?: string;
  /** The model's image `[height, width]` from its layout (latent size × VAE factor): a picture is resized to it. */
  imageSize?: [number, number];
  dispose(): Promise<void>;
}

export type LoadProgress = (file: string, loaded: number, total: number) => void;
export type DownloadProgress = (progress: OverallProgress) => void;
/** `onDownload`: progress while a cached load (`request.cache`) downloads missing files. */
export type ModelFactory = (request: LoadRequest, onLoading: LoadProgress, signal: AbortSignal, onDownload: DownloadProgress) => Promise<EngineModel>;
/** Downloads a model into the cache without loading it (web: Cache Storage via src/models). */
export type ModelDownloader = (request: DownloadRequest, onDownload: DownloadProgress, signal: AbortSignal) => Promise<{ key: string; files: number; bytes: number }>;
/** Posts an event with the buffers to transfer (a worker's postMessage, or a test's collector). */
export type PostEvent = (event: EngineEvent, transfer: ArrayBuffer[]) => void;

export interface EngineHandlerOptions {
  loadModel: ModelFactory;
  /** Absent: `download` requests answer `bad-input` (e.g. the Node engine has no browser cache). */
  downloadModel?: ModelDownloader;
  post: PostEvent;
  /** Minimum milliseconds between attention updates (default 250: four per second). */
  attentionIntervalMs?: number;
  now?: () => number;
}

interface Loaded {
  engine: EngineModel;
  preview: LatentPreview;
  /** Decoded image `[height, width]` (a picture to edit is resized to it), when known. */
  imageSize: [number, number] | null;
}

interface Job {
  kind: 'load' | 'download' | 'generate';
  controller: AbortController;
}

export function summarize(report: InstrumentReport): InstrumentSummary {
  const { counts } = report;
  return {
    crossLayers: counts.cross,
    selfLayers: counts.self,
    editedLayers: counts.edited,
    mapLayers: counts.mapLayers,
    mapResolution: report.mapResolution,
    selfMaxQuery: report.selfMaxQuery,
    floatType: report.floatType,
  };
}

export class EngineHandler {
  private loaded: Loaded | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly jobs = new Map<number, Job>();
  private readonly now: () => number;

  constructor(private readonly options: EngineHandlerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Entry for every incoming message; messages that are not engine requests are ignored. */
  handle(data: unknown): void {
    const checked = checkRequest(data);
    if (checked === null) return;
    if (!checked.ok) {
      this.post({ type: 'error', id: checked.id, code: 'bad-input', message: checked.message });
      return;
    }
    const request = checked.request;
    switch (request.type) {
      case 'cancel':
        this.jobs.get(request.id)?.controller.abort(new AbortError(`run ${request.id} cancelled`));
        return;
      case 'load':
        this.abortJobs(() => true, `superseded by load ${request.id}`);
        this.enqueue(request.id, 'load', (signal) => this.load(request, signal));
        return;
      case 'download':
        this.enqueue(request.id, 'download', async (signal) => {
          const download = this.options.downloadModel;
          if (!download) throw new EngineFailure('bad-input', 'this engine cannot download models (no browser cache)');
          const done = await download(request, (progress) => this.post({ type: 'download', id: request.id, progress }), signal);
          this.post({ type: 'downloaded', id: request.id, ...done });
        });
        return;
      case 'generate':
        this.abortJobs((job) => job.kind === 'generate', `superseded by run ${request.id}`);
        this.enqueue(request.id, 'generate', (signal) => {
          const loaded = this.loaded;
          if (!loaded) throw new EngineFailure('bad-input', 'no model is loaded: send a load request first');
          return runGeneration(
            {
              id: request.id,
              model: loaded.engine.pipeline,
              preview: loaded.preview,
              signal,
              post: (event) => this.post(event),
              now: this.now,
              attentionIntervalMs: this.options.attentionIntervalMs ?? 250,
              imageSize: loaded.imageSize,
            },
            request.request,
          );
        });
        return;
      default: {
        const unknown: never = request;
        throw new Error(`unhandled request ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Resolves when every job received so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.queue;
      await seen;
    } while (seen !== this.queue);
  }

  /** Cancels everything and frees the model. */
  async dispose(): Promise<void> {
    this.abortJobs(() => true, 'engine disposed');
    await this.idle();
    await this.loaded?.engine.dispose();
    this.loaded = null;
  }

  private post(event: EngineEvent): void {
    this.options.post(event, transferablesOf(event));
  }

  private abortJobs(which: (job: Job) => boolean, why: string): void {
    for (const job of this.jobs.values()) if (which(job)) job.controller.abort(new AbortError(why));
  }

  private enqueue(id: number, kind: Job['kind'], work: (signal: AbortSignal) => Promise<void>): void {
    if (this.jobs.has(id)) {
      this.post({ type: 'error', id, code: 'bad-input', message: `run id ${id} is already in use` });
      return;
    }
    const controller = new AbortController();
    this.jobs.set(id, { kind, controller });
    const run = async (): Promise<void> => {
      try {
        if (controller.signal.aborted) throw controller.signal.reason;
        await work(controller.signal);
      } catch (err) {
        this.post({ type: 'error', id, ...toEngineError(err, kind) });
      } finally {
        this.jobs.delete(id);
      }
    };
    this.queue = this.queue.then(run);
  }

  private async load(request: LoadRequest, signal: AbortSignal): Promise<void> {
    const started = this.now();
    if (this.loaded) {
      const old = this.loaded;
      this.loaded = null;
      await old.engine.dispose();
    }
    const engine = await this.options.loadModel(
      request,
      (file, loaded, total) => this.post({ type: 'loading', id: request.id, file, loaded, total }),
      signal,
      (progress) => this.post({ type: 'download', id: request.id, progress }),
    );
    try {
      if (signal.aborted) throw signal.reason;
      const { backend, scalingFactor, schedulerConfig } = engine.pipeline;
      const caps = backend.capabilities;
      const { preview, imageSize } = await createLatentPreview(backend, caps.latentSize, scalingFactor);
      if (signal.aborted) throw signal.reason;
      const schedulerClass = (schedulerConfig as { _class_name?: unknown })._class_name;
      const model: ModelInfo = {
        baseUrl: request.baseUrl,
        description: caps.description,
        instrumented: caps.instrumented,
        latentChannels: caps.latentChannels,
        latentSize: caps.latentSize,
        imageSize,
        mapResolution: caps.mapResolution,
        scalingFactor,
        schedulerClass: typeof schedulerClass === 'string' ? schedulerClass : null,
        takesPictures: backend.encode !== undefined,
      };
      // The layout's size first: the preview fit decodes only small latents (SD's 64×64 gives none).
      this.loaded = { engine, preview, imageSize: engine.imageSize ?? imageSize };
      this.post({
        type: 'ready',
        id: request.id,
        backend: engine.backend,
        fallbackReason: engine.fallbackReason,
        choice: engine.choice,
        report: engine.report ? summarize(engine.report) : undefined,
        instrumentError: engine.instrumentError,
        model,
        loadMs: this.now() - started,
      });
    } catch (err) {
      await engine.dispose();
      throw err;
    }
  }
}
