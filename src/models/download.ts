// Downloads one file with progress into a PartialFile (storage as the bytes arrive), resumes from the bytes
// it holds with an HTTP Range request (after a dropped connection, a cancel or a reload; bounded retries
// with backoff), hashes as it goes, and verifies size and sha256 before returning. DOM-free (fetch, Blob).

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { abortError, httpError, ModelError } from './errors';
import { checkDigest, hashBlobInto, intHeader, parseContentRange, sha256FromEtag } from './integrity';
import { MemoryPartial, type PartialFile } from './partialFile';
import { RateMeter, secondsLeft, type FileProgress } from './progress';

export interface DownloadOptions {
  /** Name in progress and messages (the path inside the model). */
  file: string;
  expectedSize?: number;
  /** Hex sha256 to check; when absent and `etagIsSha256`, a 64-hex (X-Linked-)ETag is checked instead. */
  sha256?: string;
  etagIsSha256?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: FileProgress) => void;
  /** Retries after consecutive failures (network errors, 5xx, a body cut short). */
  retries?: number;
  /** First retry delay in ms; doubles each time, capped at 8 s. */
  backoffMs?: number;
  /**
   * Send If-Range with the resume request. Off by default: If-Range is not a CORS-safelisted header, so
   * it costs a preflight the Hub's CDN may not allow; the 206's ETag and total are compared instead.
   */
  ifRange?: boolean;
  /**
   * Where the bytes go (default: memory). Its bytes from an earlier, interrupted attempt are resumed; it is
   * flushed when the download fails or is cancelled, and cleared when the bytes make a wrong file.
   */
  partial?: PartialFile;
  fetch?: typeof fetch;
  now?: () => number;
  /** Minimum ms between progress events (the last one is always sent). */
  progressEveryMs?: number;
}

export interface DownloadResult {
  /** The verified bytes (the partial's; commit it to keep them as the complete file). */
  blob: Blob;
  partial: PartialFile;
  etag?: string;
  /** The file's sha256 (always taken). */
  sha256: string;
  /** Whether `sha256` was checked against a published digest (registry pin, Hub tree, LFS ETag). */
  sha256Published: boolean;
}

const MAX_BACKOFF_MS = 8000;

/** Storage refused the bytes (quota, a closed cache): final, not a network failure worth retrying. */
class StoreFailure extends Error {
  constructor(readonly reason: unknown) {
    super('storage failed');
  }
}

/** A transient failure: worth another request (resuming from the bytes so far). */
class Retryable extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function downloadFile(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const { file, signal } = opts;
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const now = opts.now ?? (() => Date.now());
  const retries = opts.retries ?? 5;
  const backoff = opts.backoffMs ?? 500;
  const every = opts.progressEveryMs ?? 100;

  const partial = opts.partial ?? new MemoryPartial();
  let loaded = partial.size;
  let etag = partial.etag;
  let total = opts.expectedSize ?? partial.total;
  // The digest follows the bytes held: the kept ones first (read back in slices), then each chunk as it arrives.
  let hash = sha256.create();
  if (loaded > 0) await hashBlobInto(hash, await partial.blob());
  let linkedSha: string | undefined;
  let attempt = 0;
  let failures = 0;
  let lastReport = -Infinity;
  let resumedFrom = 0;
  const meter = new RateMeter();

  const report = (done: boolean): void => {
    const t = now();
    if (!done && t - lastReport < every) return;
    lastReport = t;
    const rate = meter.sample(t, loaded);
    opts.onProgress?.({ file, loaded, total, rate, secondsLeft: secondsLeft(loaded, total, rate), resumedFrom, attempt, done });
  };
  const keepPartial = async (): Promise<void> => {
    await partial.flush().catch(() => undefined);
  };
  const restart = async (): Promise<void> => {
    await partial.clear();
    [loaded, etag, hash] = [0, undefined, sha256.create()];
  };

  for (;;) {
    attempt += 1;
    const startedAt = loaded;
    try {
      if (signal?.aborted) throw signal.reason;
      const headers: Record<string, string> = {};
      if (loaded > 0) {
        headers.Range = `bytes=${loaded}-`;
        if (etag && opts.ifRange) headers['If-Range'] = etag;
      }
      let response: Response;
      try {
        response = await doFetch(url, { headers, signal, cache: 'no-store' });
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new Retryable(`connection failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (response.status === 416 && loaded > 0) {
        // Asked past the end: the kept bytes are the whole file, or they belong to another version.
        await response.body?.cancel();
        if (total === undefined || loaded !== total) {
          await restart();
          throw new Retryable('the resume point is past the end of the file');
        }
      } else {
        const responseTotal = await acceptResponse(response);
        meter.reset();
        resumedFrom = loaded;
        report(false);
        await readBody(response, responseTotal);
      }
      const expected = opts.sha256 ?? (opts.etagIsSha256 ? linkedSha : undefined);
      const checked = checkDigest(file, { size: loaded, sha256: bytesToHex(hash.digest()) }, { size: total, sha256: expected });
      await partial.flush();
      report(true);
      return { blob: await partial.blob(), partial, etag, sha256: checked, sha256Published: expected !== undefined };
    } catch (err) {
      if (signal?.aborted) {
        await keepPartial();
        throw abortError(signal, file);
      }
      if (!(err instanceof Retryable)) {
        // A wrong or corrupt file is not worth resuming: drop its bytes. Other final errors keep them.
        if (err instanceof ModelError && (err.code === 'length' || err.code === 'integrity')) await partial.clear().catch(() => undefined);
        else await keepPartial();
        throw err;
      }
      failures = loaded > startedAt ? 1 : failures + 1;
      // Consecutive failures are bounded by `retries`; a server that drops every few bytes by the attempt cap.
      if (failures > retries || attempt > 10 * (retries + 1)) {
        await keepPartial();
        if (err.status !== undefined) throw httpError(err.status, file, url);
        throw new ModelError('network', `${file}: ${err.message}; gave up after ${retries} retries (${loaded} bytes kept to resume)`, file);
      }
      try {
        await sleep(Math.min(backoff * 2 ** (failures - 1), MAX_BACKOFF_MS), signal);
      } catch {
        await keepPartial();
        throw abortError(signal as AbortSignal, file);
      }
    }
  }

  /** Checks the status, aligns the resume point, and returns the byte count this response promises in full. */
  async function acceptResponse(response: Response): Promise<number | undefined> {
    const h = response.headers;
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new Retryable(`HTTP ${response.status}`, response.status);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw httpError(response.status, file, url, h.get('x-error-code'));
    }
    const linkedEtag = h.get('x-linked-etag') ?? h.get('etag') ?? undefined;
    linkedSha = sha256FromEtag(linkedEtag) ?? linkedSha;
    const linkedSize = intHeader(h, 'x-linked-size');
    if (total === undefined && linkedSize !== undefined) total = linkedSize;
    const encoded = (h.get('content-encoding') ?? 'identity') !== 'identity';
    const length = encoded ? undefined : intHeader(h, 'content-length');
    if (response.status === 206) {
      const range = parseContentRange(h.get('content-range'));
      // The same file as the kept bytes: same start, same validator and total when both sides know them.
      const sameFile = (etag === undefined || linkedEtag === undefined || linkedEtag === etag) && (range?.total === undefined || total === undefined || range.total === total);
      if (range && range.start === loaded && sameFile) {
        if (total === undefined && range.total !== undefined) total = range.total;
        if (etag === undefined) etag = linkedEtag;
        partial.describe({ etag, total });
        return range.end + 1;
      }
      // Another range, or another version of the file: start over with a plain request.
      await response.body?.cancel();
      await restart();
      throw new Retryable('unexpected Content-Range');
    }
    // 200: the whole file (the server ignored Range, or If-Range saw a changed file).
    if (loaded > 0) await restart();
    etag = linkedEtag;
    if (total === undefined && length !== undefined) total = length;
    partial.describe({ etag, total });
    return length;
  }

  async function readBody(response: Response, responseEnd: number | undefined): Promise<void> {
    if (!response.body) {
      await take(new Uint8Array(await response.arrayBuffer()));
      return;
    }
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await take(value);
        report(false);
      }
    } catch (err) {
      await reader.cancel().catch(() => undefined);
      if (err instanceof StoreFailure) throw err.reason;
      if (err instanceof ModelError || signal?.aborted) throw err;
      throw new Retryable(`connection dropped after ${loaded} bytes: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      reader.releaseLock();
    }
    if (responseEnd !== undefined && loaded < responseEnd) throw new Retryable(`the body ended after ${loaded} of ${responseEnd} bytes`);
  }

  /** One chunk of the body: refused past the expected size, else hashed and handed to the partial. */
  async function take(bytes: Uint8Array): Promise<void> {
    if (total !== undefined && loaded + bytes.byteLength > total) {
      throw new ModelError('length', `${file}: the server sent more than the expected ${total} bytes; the download was not kept`, file);
    }
    hash.update(bytes);
    loaded += bytes.byteLength;
    try {
      await partial.append(bytes);
    } catch (err) {
      throw new StoreFailure(err);
    }
  }
}
