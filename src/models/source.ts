// Where a model's files come from: a Hugging Face Hub repo at a revision, or a plain base URL with the
// diffusers folder layout; file URLs, cache keys, and parsing what a person types into a model field.

import { ModelError } from './errors';

export const HUB_ENDPOINT = 'https://huggingface.co';

export type ModelSource =
  /** `endpoint` defaults to the Hub; tests point it at the mock Hub. */
  | { kind: 'hub'; repo: string; revision: string; endpoint?: string }
  /**
   * An absolute folder URL, or one relative to the page (resolved with `location`). `version` is part of
   * the cache key: a URL has no revision, so bump it when the files behind the URL change.
   */
  | { kind: 'url'; baseUrl: string; version?: string };

/** Hub repo ids: `owner/name`, letters, digits, `-`, `_`, `.`; no `--` or `..` (the Hub forbids them). */
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,199}$/;

export function isRepoId(id: string): boolean {
  return REPO_ID.test(id) && !id.includes('--') && !id.includes('..');
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The absolute base URL a `url` source names (relative ones against the page or worker location). */
export function absoluteBase(baseUrl: string): string {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  return withSlash(here ? new URL(baseUrl, here).href : new URL(baseUrl).href);
}

/** The download URL of one file: `<endpoint>/<repo>/resolve/<rev>/<path>` on the Hub. */
export function fileUrl(source: ModelSource, path: string): string {
  if (source.kind === 'url') return new URL(path, absoluteBase(source.baseUrl)).href;
  const endpoint = (source.endpoint ?? HUB_ENDPOINT).replace(/\/$/, '');
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${source.repo}/resolve/${encodeURIComponent(source.revision)}/${encodedPath}`;
}

/** The Hub's file-tree API (sizes and LFS sha256 of every file); undefined for `url` sources. */
export function treeUrl(source: ModelSource): string | undefined {
  if (source.kind === 'url') return undefined;
  const endpoint = (source.endpoint ?? HUB_ENDPOINT).replace(/\/$/, '');
  return `${endpoint}/api/models/${source.repo}/tree/${encodeURIComponent(source.revision)}?recursive=true`;
}

/** A stable cache namespace for a source: `hub:<repo>@<rev>` (endpoint prefixed when not the Hub) or `url:<base>`. */
export function sourceKey(source: ModelSource): string {
  if (source.kind === 'url') return `url:${absoluteBase(source.baseUrl)}${source.version ? `#${source.version}` : ''}`;
  const endpoint = source.endpoint && source.endpoint.replace(/\/$/, '') !== HUB_ENDPOINT ? `${source.endpoint.replace(/\/$/, '')}|` : '';
  return `hub:${endpoint}${source.repo}@${source.revision}`;
}

/** A short name for messages: the repo id (with a non-default revision) or the URL. */
export function describeSource(source: ModelSource): string {
  if (source.kind === 'url') return source.baseUrl;
  return source.revision === 'main' ? source.repo : `${source.repo}@${source.revision}`;
}

/**
 * What a person typed → a source. Accepted: `owner/name`, `owner/name@revision`, a Hub page or
 * resolve URL (`https://huggingface.co/owner/name[/tree|resolve/<rev>]`), or any other http(s) folder URL.
 */
export function parseModelRef(input: string, endpoint?: string): ModelSource {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ModelError('invalid-model', `"${text}" is not a valid URL`);
    }
    if (`${url.protocol}//${url.host}` === (endpoint ?? HUB_ENDPOINT)) {
      const [owner, name, verb, rev] = url.pathname.split('/').filter(Boolean);
      const repo = `${owner ?? ''}/${name ?? ''}`;
      if (isRepoId(repo)) {
        const revision = (verb === 'tree' || verb === 'resolve') && rev ? decodeURIComponent(rev) : 'main';
        return endpoint ? { kind: 'hub', repo, revision, endpoint } : { kind: 'hub', repo, revision };
      }
    }
    return { kind: 'url', baseUrl: withSlash(url.href) };
  }
  const [repo, revision = 'main', extra] = text.split('@');
  if (extra !== undefined || !isRepoId(repo) || !REVISION.test(revision) || revision.includes('..')) {
    throw new ModelError('invalid-model', `"${text}" is neither a Hub repo id (owner/name, optionally @revision) nor an http(s) URL`);
  }
  return endpoint ? { kind: 'hub', repo, revision, endpoint } : { kind: 'hub', repo, revision };
}
