/**
 * The studio's side of the run history: records each finished run (PNG-encoded images, final maps, the recipe
 * as its link, timings), lists them, reopens one (the recipe into the controls and the stored pixels onto the
 * stage), deletes and exports them as a ZIP. Storage trouble never breaks a run: a full quota evicts the oldest
 * runs with a notice; no IndexedDB turns the history off with the reason.
 */
import { create } from 'zustand';
import { openHistory, type HistoryDb } from '../../history/historyDb';
import { exportFiles, payloadBytes, type RunRecord, type RunSummary, type RunTimings, type StoredAttention, type StoredImage } from '../../history/runRecord';
import { saveWithEviction } from '../../history/saveWithEviction';
import { decodeLink, encodeLink } from '../../state/linkCodec';
import type { Recipe } from '../../state/recipe';
import { results, type Phase, type RgbaImage, type RunResults } from '../../state/results';
import { runKey, useStudio, type InversionChoice, type Picture } from '../../state/store';
import { cancel } from '../engineSession';
import { newPictureId } from '../picture/pictureFile';
import { decodePng, encodePng, thumbnailPng } from './pngCanvas';

export interface HistoryView {
  status: 'opening' | 'ready' | 'off';
  runs: RunSummary[];
  /** Why the history is off. */
  reason?: string;
  /** The last thing worth telling (runs evicted, a save that failed, a run that is gone), until dismissed. */
  notice?: string;
  /** A failed save's notice is cleared by the next save that works; an eviction's stays until dismissed. */
  noticeKind?: 'evicted' | 'failed';
}

export const useHistory = create<HistoryView>(() => ({ status: 'opening', runs: [] }));

let opened: Promise<HistoryDb> | undefined;

async function database(): Promise<HistoryDb> {
  // A newer version of the app in another tab closes this connection: the next use opens a new one.
  opened ??= openHistory(() => {
    opened = undefined;
  });
  return opened;
}

async function refresh(db: HistoryDb): Promise<void> {
  useHistory.setState({ status: 'ready', runs: await db.list() });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

export async function startHistory(): Promise<void> {
  try {
    await refresh(await database());
  } catch (err) {
    useHistory.setState({ status: 'off', reason: describe(err) });
  }
}

const PHASES: Phase[] = ['main', 'baseline'];

/** This run's images (the buffers may still hold a longer earlier run's extra prompts, or its baseline). */
async function storedImages(res: RunResults, prompts: string[], baseline: boolean): Promise<StoredImage[]> {
  const out: StoredImage[] = [];
  for (const phase of baseline ? PHASES : PHASES.slice(0, 1)) {
    for (const [prompt, image] of res.images[phase].slice(0, prompts.length).entries()) {
      if (!image) continue;
      out.push({ phase, prompt, label: prompts[prompt] ?? image.label, width: image.width, height: image.height, png: await encodePng(image) });
    }
  }
  return out;
}

function storedAttention(res: RunResults, prompts: number): StoredAttention[] {
  return res.attention.slice(0, prompts).flatMap((a, prompt) => (a ? [{ prompt, resolution: a.resolution, tokens: a.tokens, maps: a.maps, tiles: a.tiles, call: a.call }] : []));
}

/**
 * Bytes the history could have if every kept run were removed: the origin's quota less what else it stores
 * (the browser's estimate, which lags behind writes; undefined when it cannot say).
 */
async function roomForHistory(runs: RunSummary[]): Promise<number | undefined> {
  try {
    const { quota, usage } = (await navigator.storage?.estimate?.()) ?? {};
    if (quota === undefined || usage === undefined) return undefined;
    return quota - Math.max(0, usage - runs.reduce((n, r) => n + r.bytes, 0));
  } catch {
    return undefined;
  }
}

/** Keeps a finished run. Never throws: what goes wrong becomes the history's notice. */
export async function recordRun(recipe: Recipe, res: RunResults, timings: RunTimings, from?: { picture: Picture; method: InversionChoice }): Promise<void> {
  if (useHistory.getState().status === 'off') return;
  try {
    const db = await database();
    const prompts = [recipe.prompt, ...recipe.edits];
    const images = await storedImages(res, prompts, recipe.baseline);
    const main = res.images.main;
    const face = main[1] ?? main[0];
    if (!face) return; // nothing finished
    const thumb = await thumbnailPng(face);
    const thumbnail: StoredImage = { phase: 'main', prompt: main[1] ? 1 : 0, label: 'thumbnail', ...thumb };
    const picture = from && { name: from.picture.name, method: from.method, image: { phase: 'main' as const, prompt: 0, label: from.picture.name, width: from.picture.width, height: from.picture.height, png: await encodePng(from.picture) } };
    const payload = { images, attention: storedAttention(res, prompts.length), ...(picture ? { picture } : {}) };
    const summary: RunSummary = {
      createdAt: Date.now(), model: recipe.model, link: await encodeLink(recipe), prompts, seed: recipe.seed, steps: recipe.steps,
      timings, thumbnail, ...(from ? { picture: from.picture.name } : {}), bytes: payloadBytes(payload, thumbnail),
    };
    const outcome = await saveWithEviction(db, { summary, payload }, () => roomForHistory(useHistory.getState().runs));
    await refresh(db);
    const lost = outcome.evicted > 0 ? ` (${outcome.evicted} older run${outcome.evicted === 1 ? ' was' : 's were'} removed trying to make room)` : '';
    if (!outcome.saved) useHistory.setState({ noticeKind: 'failed', notice: `The last run is not in the history: ${outcome.reason}${lost}. It stays on screen; download what you want to keep.` });
    else if (outcome.evicted > 0) useHistory.setState({ noticeKind: 'evicted', notice: `Storage was full: the ${outcome.evicted === 1 ? 'oldest run was' : `${outcome.evicted} oldest runs were`} removed from the history to keep a newer one.` });
    else if (useHistory.getState().noticeKind === 'failed') useHistory.setState({ notice: undefined, noticeKind: undefined });
  } catch (err) {
    useHistory.setState({ noticeKind: 'failed', notice: `The last run is not in the history: ${describe(err)}.` });
  }
}

function toRgba(stored: StoredImage, rgba: Uint8ClampedArray): RgbaImage {
  return { label: stored.label, width: stored.width, height: stored.height, rgba };
}

/** Puts a kept run back: its recipe into the controls (and the address bar), its stored pixels and maps on the stage. */
let reopening = 0;

export async function reopenRun(id: number): Promise<void> {
  // A run in progress would keep writing its images over the reopened ones: it stops first. The last click wins.
  cancel();
  const mine = ++reopening;
  const runAtClick = useStudio.getState().run.id;
  try {
    const db = await database();
    const record = await db.get(id);
    if (mine !== reopening) return;
    if (!record) {
      useHistory.setState({ notice: 'That run is no longer in the history (removed in another tab?).' });
      return refresh(db);
    }
    const { recipe, ignored } = await decodeLink(record.summary.link);
    const images: RunResults['images'] = { main: [], baseline: [] };
    for (const stored of record.payload.images) images[stored.phase][stored.prompt] = toRgba(stored, (await decodePng(stored.png)).rgba);
    const attention: RunResults['attention'] = [];
    for (const a of record.payload.attention) attention[a.prompt] = { resolution: a.resolution, tokens: a.tokens, maps: a.maps, tiles: a.tiles, call: a.call };
    // The run's picture comes back with it (and a run without one clears the page's), so Generate redoes that run.
    const stored = record.payload.picture;
    const picture: Picture | undefined = stored && { id: newPictureId(), name: stored.name, width: stored.image.width, height: stored.image.height, rgba: (await decodePng(stored.image.png)).rgba };
    // Superseded by another Open, or by a Generate started meanwhile (its results win); nothing awaits after this.
    if (mine !== reopening || useStudio.getState().run.id !== runAtClick) return;
    const store = useStudio.getState();
    const inversion = stored?.method ?? useStudio.getState().inversion;
    useStudio.setState({ recipe, picture, inversion, notices: ignored, compared: { phase: 'main', prompt: recipe.edits.length > 0 ? 1 : 0 }, hoverToken: undefined, pinnedToken: undefined });
    results.restore(-id, images, attention);
    const { calls, totalMs } = record.summary.timings;
    store.setRun({ status: 'done', error: undefined, call: calls, total: calls, elapsedMs: totalMs, recipeKey: runKey({ recipe, picture, inversion }), inverting: false, fromPicture: !!picture });
  } catch (err) {
    useHistory.setState({ notice: `Could not reopen that run: ${describe(err)}.` });
  }
}

export async function deleteRun(id: number): Promise<void> {
  try {
    const db = await database();
    await db.remove(id);
    await refresh(db);
  } catch (err) {
    useHistory.setState({ notice: `Could not delete that run: ${describe(err)}.` });
  }
}

function save(bytes: Uint8Array, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** A ZIP of PNGs plus `run.json` per run: one run (by id) or all of them. fflate loads only when asked. */
export async function exportRuns(ids: number[] | 'all'): Promise<void> {
  try {
    const db = await database();
    const wanted = ids === 'all' ? (await db.list()).map((s) => s.id!) : ids;
    const runs: { record: RunRecord; recipe: unknown }[] = [];
    for (const id of wanted) {
      const record = await db.get(id);
      if (record) runs.push({ record, recipe: (await decodeLink(record.summary.link)).recipe });
    }
    if (runs.length === 0) return;
    const { zipFiles } = await import('./zip');
    const files = exportFiles(runs, `${window.location.origin}${window.location.pathname}`);
    const name = runs.length === 1 ? `prompt-to-prompt-${Object.keys(files)[0]!.split('/')[0]}.zip` : `prompt-to-prompt-history-${runs.length}-runs.zip`;
    save(zipFiles(files), name);
  } catch (err) {
    useHistory.setState({ notice: `Could not export: ${describe(err)}.` });
  }
}

export function dismissHistoryNotice(): void {
  useHistory.setState({ notice: undefined, noticeKind: undefined });
}
