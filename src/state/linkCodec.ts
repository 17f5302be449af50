/**
 * Share links, version 2: `?r=2.<base64url of deflate-raw(JSON)>`, beside the page settings `backend=` / `hub=`.
 * The JSON is a list of the recipe's fields in a fixed order (PAYLOAD_FIELDS), the model's revision second
 * (docs/links.md). Decoding turns the payload back into version 1 parameters and
 * reads them with `decodeRecipe`, so both versions share one validation: it never throws, and everything it drops
 * is listed in `ignored`. A query without `r=` is a version 1 link and is read as before.
 *
 * Compression uses the platform's CompressionStream('deflate-raw') (browsers, and Node ≥ 18 for the tests), not a
 * library: the async API costs only an `await` at start-up and in the address-bar writer (urlSync), and it adds
 * nothing to the bundle. Where the API is missing, links are written in version 1 and version 2 links get a notice.
 */
import { findModel, EMBEDDED_REVISIONS } from '../models/registry';
import { isRepoId } from '../models/source';
import { DEFAULT_RECIPE, LINK_V1_DEFAULTS, type Recipe, type Window } from './recipe';
import { decodeRecipe, encodeRecipe, PAGE_SETTINGS, type DecodedRecipe } from './urlCodec';

export const LINK_VERSION = 2;
/** Longest `r=` value read, and most bytes inflated from it: far above any real recipe, far below a bomb. */
const MAX_PAYLOAD_CHARS = 16_000;
const MAX_JSON_BYTES = 64 * 1024;

export interface DecodedLink extends DecodedRecipe {
  /** 1: readable parameters, 2: `r=`. */
  format: 1 | 2;
  /** The link holds a recipe with a prompt (a share link: generate, or ask before downloading). */
  fromLink: boolean;
}

/**
 * The revision a link records for a model: a registry entry's Hub revision (pinned commit or `main`), `main` for
 * any other repo id (what the app downloads for it), an embedded model's file digest; none for folder URLs.
 */
export function modelRevision(model: string): string | undefined {
  if (Object.hasOwn(EMBEDDED_REVISIONS, model)) return EMBEDDED_REVISIONS[model];
  const entry = findModel(model);
  if (entry) return entry.source.kind === 'hub' ? entry.source.revision : undefined;
  return isRepoId(model) ? 'main' : undefined;
}

function hasCompression(): boolean {
  return typeof CompressionStream === 'function' && typeof DecompressionStream === 'function';
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** undefined when the text is not base64url. */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function deflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The inflated bytes, or a reason (bad data, or more than MAX_JSON_BYTES). */
async function inflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer> | string> {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_JSON_BYTES) {
        void reader.cancel().catch(() => undefined);
        return `it unpacks to more than ${MAX_JSON_BYTES / 1024} KiB`;
      }
      chunks.push(value);
    }
  } catch {
    return 'it is not deflate data';
  }
  // DecompressionStream yields chunks over plain ArrayBuffers (never shared memory), which Blob takes.
  return new Uint8Array(await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}

/**
 * The payload's positions (a JSON array: no key names, so the link stays short). Windows are a number or
 * `[start, end]`, per-word values an object, LocalBlend a list of word lists per prompt, the baseline 1 or 0.
 * The negative prompt `n` came later: it is last, and left out when empty, so a recipe without one packs to the
 * same 16 values as before (and links written before it read as "no negative prompt").
 */
export const PAYLOAD_FIELDS = ['model', 'rev', 'p', 'e', 'k', 'cross', 'cw', 'self', 'w', 'b', 'bt', 'seed', 'steps', 'g', 'sched', 'base', 'n'] as const;

/** The recipe as a version 2 query (`r=2.…`); version 1 where the browser has no CompressionStream. */
export async function encodeLink(recipe: Recipe): Promise<string> {
  if (!hasCompression()) return encodeRecipe(recipe);
  const r = recipe;
  const payload = [r.model, modelRevision(r.model) ?? null, r.prompt, r.edits, r.kind, r.cross, r.crossWords, r.self, r.weights, r.blendWords, r.blendThreshold, r.seed, r.steps, r.guidance, r.scheduler, r.baseline ? 1 : 0];
  if (r.negativePrompt !== '') payload.push(r.negativePrompt);
  const packed = await deflate(new TextEncoder().encode(JSON.stringify(payload)));
  return `r=${LINK_VERSION}.${toBase64Url(packed)}`;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isWindow = (v: unknown): v is Window => isNumber(v) || (Array.isArray(v) && v.length === 2 && v.every(isNumber));
const windowText = (w: Window) => (typeof w === 'number' ? String(w) : `${w[0]}-${w[1]}`);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * The payload as version 1 parameters (decodeRecipe then checks ranges, names and lengths); a value of the wrong
 * JSON type is left out with a notice. `rev` is returned apart: it is no recipe field.
 */
function toParams(payload: unknown[], ignored: string[]): { params: URLSearchParams; rev?: string } {
  const params = new URLSearchParams();
  let rev: string | undefined;
  if (payload.length > PAYLOAD_FIELDS.length) ignored.push(`${payload.length - PAYLOAD_FIELDS.length} unknown values at the end of the link's recipe`);
  PAYLOAD_FIELDS.forEach((key, i) => {
    const v = payload[i];
    if (v === undefined || v === null) return;
    let ok: boolean;
    if (key === 'rev') {
      ok = typeof v === 'string';
      if (ok) rev = v as string;
    } else if (key === 'e') {
      ok = isStrings(v);
      if (ok) for (const e of v as string[]) params.append('e', e);
    } else if (key === 'cross' || key === 'self') {
      ok = isWindow(v);
      if (ok) params.set(key, windowText(v as Window));
    } else if (key === 'cw' || key === 'w') {
      const check = key === 'cw' ? isWindow : isNumber;
      ok = isRecord(v) && Object.values(v).every(check);
      if (ok) for (const [word, w] of Object.entries(v as Record<string, Window>)) params.append(key, `${word}:${windowText(w)}`);
    } else if (key === 'b') {
      ok = Array.isArray(v) && v.every(isStrings);
      if (ok) for (const words of v as string[][]) params.append('b', words.join(','));
    } else if (key === 'model' || key === 'p' || key === 'n' || key === 'k' || key === 'sched') {
      ok = typeof v === 'string';
      if (ok) params.set(key, v as string);
    } else {
      ok = isNumber(v);
      if (ok) params.set(key, String(v));
    }
    if (!ok) ignored.push(`${key} in the link's recipe has a value of the wrong type (${String(JSON.stringify(v)).slice(0, 40)})`);
  });
  return { params, rev };
}

/** The `r=` payload as a JSON list, or undefined with the reason in `ignored`. */
async function readPayload(r: string, ignored: string[]): Promise<unknown[] | undefined> {
  const bad = (why: string) => {
    ignored.push(`the link's recipe (r=${JSON.stringify(r.slice(0, 24))}…) could not be read: ${why}; the defaults are shown`);
    return undefined;
  };
  const dot = r.indexOf('.');
  const version = dot < 0 ? r : r.slice(0, dot);
  if (version !== String(LINK_VERSION)) return bad(`link version ${JSON.stringify(version.slice(0, 10))} is not known here (this app reads 1 and 2)`);
  if (dot < 0) return bad('nothing follows the version');
  if (r.length > MAX_PAYLOAD_CHARS) return bad(`it is longer than ${MAX_PAYLOAD_CHARS} characters`);
  if (!hasCompression()) return bad('this browser has no DecompressionStream (version 1 links still open)');
  const bytes = fromBase64Url(r.slice(dot + 1));
  if (!bytes) return bad('it is not base64url text');
  const json = await inflate(bytes);
  if (typeof json === 'string') return bad(json);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return bad('it is not JSON text');
  }
  if (!Array.isArray(value)) return bad('it is not a JSON list');
  return value;
}

/** Reads a version 1 or version 2 link (a query string with or without `?`); never throws. */
export async function decodeLink(query: string): Promise<DecodedLink> {
  const q = new URLSearchParams(query);
  const r = q.get('r');
  if (r === null) return { ...decodeRecipe(query, LINK_V1_DEFAULTS), format: 1, fromLink: q.has('p') };

  const ignored: string[] = [];
  const count = q.getAll('r').length;
  if (count > 1) ignored.push(`r given ${count} times (the first one is used)`);
  const stray = [...new Set(q.keys())].filter((k) => k !== 'r' && !PAGE_SETTINGS.has(k));
  if (stray.length) ignored.push(`parameters beside r= (${stray.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 20))).join(', ')}): a version 2 link holds the whole recipe in r=`);
  const payload = await readPayload(r, ignored);
  if (!payload) return { recipe: structuredClone(DEFAULT_RECIPE), ignored, format: 2, fromLink: false };

  const { params, rev } = toParams(payload, ignored);
  const decoded = decodeRecipe(params.toString());
  ignored.push(...decoded.ignored);
  const expected = modelRevision(decoded.recipe.model);
  if (rev !== undefined && expected !== undefined && rev !== expected) {
    ignored.push(`the link was made with ${decoded.recipe.model} at revision ${JSON.stringify(rev.slice(0, 60))}; this app loads revision ${JSON.stringify(expected)}, so the images may differ`);
  }
  return { recipe: decoded.recipe, ignored, format: 2, fromLink: params.has('p') };
}
