// A file being downloaded: its bytes go to storage as they arrive (in segments), so a cancel, a failure or
// a page reload keeps them and the next attempt resumes; once verified they become the complete file
// without being copied. The in-memory form here serves Node, tests and the MemoryModelStore.

import type { StoredMeta } from './cache';

/** What kept bytes belong to: the validator and full size the server announced for them. */
export interface PartialInfo {
  etag?: string;
  total?: number;
}

export interface PartialFile extends PartialInfo {
  /** Bytes held: stored plus buffered. */
  readonly size: number;
  /** Sets what the bytes belong to (stored with them at the next flush). */
  describe(info: PartialInfo): void;
  /** Adds bytes at the end; a full segment is written to storage before this resolves. */
  append(bytes: Uint8Array): Promise<void>;
  /** Writes what is buffered (the downloader calls it on failure and cancel). */
  flush(): Promise<void>;
  /** Drops every byte: another version of the file, or bytes that made a wrong one. */
  clear(): Promise<void>;
  /** The bytes so far as one Blob (disk-backed in Cache Storage: read it in slices). */
  blob(): Promise<Blob>;
  /** The bytes become the complete, verified file with `meta`; the partial is gone. */
  commit(meta: StoredMeta): Promise<void>;
}

/** Bytes buffered before a segment is written (per file downloading at once, at most this much is held). */
export const SEGMENT_BYTES = 4 * 2 ** 20;

/**
 * A partial whose bytes live in memory; `onCommit` receives the whole file (the memory store keeps it as
 * is). With no `onCommit` (a bare download in Node or a test) commit only checks the size.
 */
export class MemoryPartial implements PartialFile {
  etag?: string;
  total?: number;
  private parts: Uint8Array[] = [];
  private bytes = 0;

  constructor(
    initial: { parts?: Uint8Array[] } & PartialInfo = {},
    private readonly onCommit?: (blob: Blob, meta: StoredMeta) => Promise<void>,
  ) {
    this.parts = [...(initial.parts ?? [])];
    this.bytes = this.parts.reduce((n, p) => n + p.byteLength, 0);
    this.etag = initial.etag;
    this.total = initial.total;
  }

  get size(): number {
    return this.bytes;
  }

  describe(info: PartialInfo): void {
    this.etag = info.etag;
    this.total = info.total;
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.parts.push(bytes);
    this.bytes += bytes.byteLength;
  }

  async flush(): Promise<void> {}

  async clear(): Promise<void> {
    this.parts = [];
    this.bytes = 0;
    this.etag = undefined;
    this.total = undefined;
  }

  async blob(): Promise<Blob> {
    return new Blob(this.parts as BlobPart[]);
  }

  async commit(meta: StoredMeta): Promise<void> {
    await this.onCommit?.(await this.blob(), meta);
  }
}
