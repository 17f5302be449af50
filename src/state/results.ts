/**
 * Images, previews and attention maps of the current run, kept outside the zustand store (they are
 * big and arrive often); components subscribe through `useResults`.
 */
import { useSyncExternalStore } from 'react';
import { addFrame, type Frame } from './timeline';

export type Phase = 'main' | 'baseline';

export interface RgbaImage {
  label: string;
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface AttentionMaps {
  resolution: number;
  tokens: string[];
  /** `[R·R, 77]` accumulated head-mean cross-attention. */
  maps: Float32Array;
  /** One greyscale `R·R` tile per token label (made by the engine). */
  tiles: Uint8ClampedArray[];
  call: number;
}

export interface RunResults {
  runId: number;
  images: Record<Phase, (RgbaImage | undefined)[]>;
  previews: Record<Phase, (RgbaImage | undefined)[]>;
  attention: (AttentionMaps | undefined)[];
  /** The main phase's previews per prompt, stamped with how far through the run each was made (step scrubber). */
  previewFrames: Frame<RgbaImage>[][];
  /** The main phase's accumulated attention per prompt, stamped the same way. */
  attentionFrames: Frame<AttentionMaps>[][];
  /** The scrubber's point in the run (0 … 1); undefined follows the run and shows the final images. */
  scrub?: number;
}

const EMPTY: RunResults = {
  runId: 0,
  images: { main: [], baseline: [] },
  previews: { main: [], baseline: [] },
  attention: [],
  previewFrames: [],
  attentionFrames: [],
};
let current: RunResults = EMPTY;
const listeners = new Set<() => void>();

function publish(next: RunResults): void {
  current = next;
  for (const l of listeners) l();
}

export const results = {
  get: (): RunResults => current,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Starts a run: previous results stay visible until the new ones replace them prompt by prompt. */
  begin(runId: number): void {
    publish({ ...current, runId, previews: { main: [], baseline: [] }, previewFrames: [], attentionFrames: [], scrub: undefined });
  },
  /** Drops the attention maps (a run that makes none, e.g. on a stock UNet). */
  clearAttention(): void {
    publish({ ...current, attention: [], attentionFrames: [] });
  },
  clearBaseline(): void {
    publish({ ...current, images: { ...current.images, baseline: [] } });
  },
  setImage(phase: Phase, prompt: number, image: RgbaImage): void {
    const list = [...current.images[phase]];
    list[prompt] = image;
    publish({ ...current, images: { ...current.images, [phase]: list } });
  },
  /** A preview; `at` (how far through the run) records it for the scrubber (main phase only). */
  setPreview(phase: Phase, prompt: number, image: RgbaImage, at?: number): void {
    const list = [...current.previews[phase]];
    list[prompt] = image;
    const previewFrames = phase === 'main' && at !== undefined ? withFrame(current.previewFrames, prompt, { at, value: image }) : current.previewFrames;
    publish({ ...current, previews: { ...current.previews, [phase]: list }, previewFrames });
  },
  setAttention(prompt: number, maps: AttentionMaps, at?: number): void {
    const list = [...current.attention];
    list[prompt] = maps;
    const attentionFrames = at !== undefined ? withFrame(current.attentionFrames, prompt, { at, value: maps }) : current.attentionFrames;
    publish({ ...current, attention: list, attentionFrames });
  },
  /** Shows a finished run again (reopened from the history): its images and final maps, no previews or steps. */
  restore(runId: number, images: RunResults['images'], attention: RunResults['attention']): void {
    publish({ ...EMPTY, runId, images, attention });
  },
  /** Moves the scrubber (undefined: back to following the run). */
  setScrub(scrub: number | undefined): void {
    publish({ ...current, scrub });
  },
};

function withFrame<T>(lists: Frame<T>[][], prompt: number, frame: Frame<T>): Frame<T>[][] {
  const next = [...lists];
  next[prompt] = addFrame(lists[prompt] ?? [], frame);
  return next;
}

export function useResults(): RunResults {
  return useSyncExternalStore(results.subscribe, results.get);
}
