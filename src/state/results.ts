/**
 * Images, previews and attention maps of the current run, kept outside the zustand store (they are
 * big and arrive often); components subscribe through `useResults`.
 */
import { useSyncExternalStore } from 'react';

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
}

let current: RunResults = { runId: 0, images: { main: [], baseline: [] }, previews: { main: [], baseline: [] }, attention: [] };
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
    publish({ ...current, runId, previews: { main: [], baseline: [] } });
  },
  clearBaseline(): void {
    publish({ ...current, images: { ...current.images, baseline: [] } });
  },
  setImage(phase: Phase, prompt: number, image: RgbaImage): void {
    const list = [...current.images[phase]];
    list[prompt] = image;
    publish({ ...current, images: { ...current.images, [phase]: list } });
  },
  setPreview(phase: Phase, prompt: number, image: RgbaImage): void {
    const list = [...current.previews[phase]];
    list[prompt] = image;
    publish({ ...current, previews: { ...current.previews, [phase]: list } });
  },
  setAttention(prompt: number, maps: AttentionMaps): void {
    const list = [...current.attention];
    list[prompt] = maps;
    publish({ ...current, attention: list });
  },
};

export function useResults(): RunResults {
  return useSyncExternalStore(results.subscribe, results.get);
}
