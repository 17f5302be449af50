/**
 * What the history keeps of a finished run: a small summary for the list (prompts, model, timings, thumbnail)
 * and a payload with the final images as PNG bytes (lossless, so a reopened run shows the same pixels) and the
 * final attention maps (so words still overlay their maps), and the user's picture when the run edited one. The
 * recipe is kept as its share link, read back
 * with the link codec, so old entries survive recipe changes the way old links do. Pure: no DOM, no IndexedDB.
 */

export type ResultPhase = 'main' | 'baseline';

export interface StoredImage {
  phase: ResultPhase;
  /** 0 = the source, i ≥ 1 = edit i. */
  prompt: number;
  label: string;
  width: number;
  height: number;
  png: Uint8Array;
}

export interface StoredAttention {
  prompt: number;
  resolution: number;
  tokens: string[];
  maps: Float32Array;
  tiles: Uint8ClampedArray[];
  call: number;
}

export interface RunTimings {
  /** Wall time of the sampling loop (load excluded). */
  totalMs: number;
  /** UNet calls of the main phase. */
  calls: number;
  backend?: string;
}

export interface RunSummary {
  /** Assigned by the store, increasing with time (undefined before it is saved). */
  id?: number;
  createdAt: number;
  model: string;
  /** The share-link query of the recipe (`r=2.…`), the recipe's one durable form. */
  link: string;
  prompts: string[];
  seed: number;
  steps: number;
  timings: RunTimings;
  thumbnail: StoredImage;
  /** The name of the picture the run edited, when it started from one. */
  picture?: string;
  /** Bytes of images and maps, for the list and the eviction notice. */
  bytes: number;
}

/** The user's picture a run edited (as the page held it, at most 1024 px a side) and how it was inverted. */
export interface StoredPicture {
  name: string;
  method: 'negative-prompt' | 'ddim';
  image: StoredImage;
}

export interface RunPayload {
  images: StoredImage[];
  attention: StoredAttention[];
  /** The picture the run edited, when it started from one (prompt 0 is then its reconstruction). */
  picture?: StoredPicture;
}

export interface RunRecord {
  summary: RunSummary;
  payload: RunPayload;
}

/** Bytes a record's pixel and map buffers take (what dominates its size in storage). */
export function payloadBytes(payload: RunPayload, thumbnail?: StoredImage): number {
  const images = payload.images.reduce((n, i) => n + i.png.byteLength, 0) + (payload.picture?.image.png.byteLength ?? 0);
  const maps = payload.attention.reduce((n, a) => n + a.maps.byteLength + a.tiles.reduce((t, x) => t + x.byteLength, 0), 0);
  return images + maps + (thumbnail?.png.byteLength ?? 0);
}

/** "source", "edit 2", "baseline source", … : the file stem of one image of the run. */
export function imageStem(image: Pick<StoredImage, 'phase' | 'prompt'>): string {
  const who = image.prompt === 0 ? 'source' : `edit-${image.prompt}`;
  return image.phase === 'main' ? who : `no-controller-${who}`;
}

/** A file-name-safe slug of a prompt (ASCII letters, digits and dashes, at most 40 characters). */
export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s || 'run';
}

/** `2026-12-05T07-31-02` (UTC), sortable and valid in every file system. */
export function stamp(createdAt: number): string {
  return new Date(createdAt).toISOString().slice(0, 19).replace(/:/g, '-');
}

/** The folder one run's files go in inside an export: its time and its source prompt. */
export function runFolder(summary: Pick<RunSummary, 'createdAt' | 'prompts'>): string {
  return `${stamp(summary.createdAt)}-${slug(summary.prompts[0] ?? '')}`;
}

/** What `run.json` in an export says about a run: everything but the pixels (the recipe both as link and fields). */
export function runJson(record: RunRecord, recipe: unknown, appUrl: string): string {
  const { summary, payload } = record;
  return JSON.stringify(
    {
      format: 'prompt-to-prompt-studio/run',
      version: 1,
      createdAt: new Date(summary.createdAt).toISOString(),
      model: summary.model,
      recipe,
      link: `${appUrl}?${summary.link}`,
      timings: summary.timings,
      ...(payload.picture ? { picture: { file: 'picture.png', name: payload.picture.name, inversion: payload.picture.method, width: payload.picture.image.width, height: payload.picture.image.height } } : {}),
      images: payload.images.map((i) => ({ file: `${imageStem(i)}.png`, phase: i.phase, prompt: i.prompt, text: summary.prompts[i.prompt] ?? '', width: i.width, height: i.height })),
    },
    null,
    2,
  );
}

/**
 * The files of runs for a ZIP: per run a folder with each image as PNG and `run.json`. Folder names are made
 * unique (two runs in the same second with the same prompt get `-2`).
 */
export function exportFiles(runs: { record: RunRecord; recipe: unknown }[], appUrl: string): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const used = new Map<string, number>();
  const text = new TextEncoder();
  for (const { record, recipe } of runs) {
    const base = runFolder(record.summary);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const folder = n === 1 ? base : `${base}-${n}`;
    for (const image of record.payload.images) files[`${folder}/${imageStem(image)}.png`] = image.png;
    if (record.payload.picture) files[`${folder}/picture.png`] = record.payload.picture.image.png;
    files[`${folder}/run.json`] = text.encode(runJson(record, recipe, appUrl));
  }
  return files;
}
