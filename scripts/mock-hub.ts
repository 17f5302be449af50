// A loopback "mock Hugging Face Hub" for tests and e2e: serves model folders under
// /<owner>/<repo>/resolve/<rev>/<path> with Range, ETag, LFS headers, CORS/CORP, the tree API, and faults.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FaultBook, parseRules, type FaultRule } from './mock-hub/faults';
import { indexFolder, treeEntries, type HubFile } from './mock-hub/files';

export type { Fault, FaultRule } from './mock-hub/faults';

export interface MockHubOptions {
  /** Folder served as the repo `repo` (default `local/toy-shapes`). */
  root?: string;
  repo?: string;
  /** More repos: repo id → folder. */
  repos?: Record<string, string>;
  port?: number;
  host?: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  range?: string;
  fault?: string;
  status: number;
}

export interface MockHub {
  /** `http://127.0.0.1:<port>` (use as the Hub endpoint). */
  url: string;
  port: number;
  /** The commit every revision resolves to (sent as X-Repo-Commit). */
  commit: string;
  faults: FaultBook;
  requests: RequestRecord[];
  close(): Promise<void>;
}

interface Repo {
  files: Map<string, HubFile>;
  commit: string;
}

const CORS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Range, If-Range, Content-Type, Authorization',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, X-Linked-Size, X-Linked-Etag, X-Repo-Commit, X-Error-Code',
  // The app page is cross-origin isolated (COEP require-corp): cross-origin responses must opt in.
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

function send(res: ServerResponse, status: number, body: string | Uint8Array, headers: Record<string, string> = {}): number {
  res.writeHead(status, { ...CORS, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
  return status;
}

function notFound(res: ServerResponse, code: string, message: string): number {
  return send(res, 404, JSON.stringify({ error: message }), { 'Content-Type': 'application/json', 'X-Error-Code': code, 'X-Error-Message': message });
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → [start, end] inclusive; null when unsatisfiable; undefined when absent/multi. */
export function parseRange(header: string | undefined, size: number): [number, number] | null | undefined {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Math.min(Number(m[2]), size);
    return n === 0 ? null : [size - n, size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? null : [start, end];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serveFile(req: IncomingMessage, res: ServerResponse, repo: Repo, file: HubFile, fault: FaultRule | undefined): Promise<number> {
  if (fault?.fault === '404') return notFound(res, 'EntryNotFound', `${file.path} (injected 404)`);
  if (fault?.fault === '500') return send(res, 500, 'Internal Error (injected)', { 'Content-Type': 'text/plain' });
  let bytes: Uint8Array = await readFile(file.abs);
  if (fault?.fault === 'wrong-length') {
    const trim = fault.trim ?? 7;
    bytes = trim >= 0 ? bytes.subarray(0, Math.max(0, bytes.byteLength - trim)) : Buffer.concat([bytes, Buffer.alloc(-trim, 0x2a)]);
  }
  if (fault?.fault === 'corrupt' && bytes.byteLength > 0) {
    bytes = Buffer.from(bytes);
    bytes[bytes.byteLength >> 1] ^= 0xff;
  }
  const etag = `"${file.lfs ? file.sha256 : file.gitSha1}"`;
  const headers: Record<string, string> = {
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'X-Repo-Commit': repo.commit,
    'Content-Type': file.path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
  };
  if (file.lfs) Object.assign(headers, { 'X-Linked-Size': String(file.size), 'X-Linked-Etag': etag });
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? undefined : parseRange(req.headers.range, bytes.byteLength);
  if (range === null) return send(res, 416, '', { ...headers, 'Content-Range': `bytes */${bytes.byteLength}` });
  let status = 200;
  if (range) {
    status = 206;
    headers['Content-Range'] = `bytes ${range[0]}-${range[1]}/${bytes.byteLength}`;
    bytes = bytes.subarray(range[0], range[1] + 1);
  }
  res.writeHead(status, { ...CORS, ...headers, 'Content-Length': String(bytes.byteLength) });
  if (req.method === 'HEAD') {
    res.end();
    return status;
  }
  if (fault?.fault === 'drop') {
    const cut = Math.min(fault.dropAfter ?? bytes.byteLength >> 1, Math.max(0, bytes.byteLength - 1));
    res.flushHeaders();
    await new Promise<void>((done) => res.write(bytes.subarray(0, cut), () => done()));
    await sleep(20);
    res.socket?.destroy();
    return status;
  }
  if (fault?.fault === 'trickle') {
    const step = Math.max(1, fault.chunkBytes ?? 1024);
    let closed = false;
    res.on('close', () => (closed = true));
    for (let at = 0; at < bytes.byteLength && !closed; at += step) {
      res.write(bytes.subarray(at, at + step));
      await sleep(fault.delayMs ?? 20);
    }
    res.end();
    return status;
  }
  res.end(bytes);
  return status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function control(req: IncomingMessage, res: ServerResponse, hub: MockHub, what: string): Promise<number> {
  const json = { 'Content-Type': 'application/json' };
  if (what === 'faults') {
    if (req.method === 'POST') {
      try {
        hub.faults.set(parseRules(JSON.parse((await readBody(req)) || '[]')));
      } catch (err) {
        return send(res, 400, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }), json);
      }
    } else if (req.method === 'DELETE') hub.faults.clear();
    return send(res, 200, JSON.stringify(hub.faults.list()), json);
  }
  if (what === 'requests') {
    if (req.method === 'DELETE') hub.requests.length = 0;
    return send(res, 200, JSON.stringify(hub.requests), json);
  }
  return notFound(res, 'EntryNotFound', `no control endpoint ${what}`);
}

async function route(req: IncomingMessage, res: ServerResponse, hub: MockHub, repos: Map<string, Repo>, record: RequestRecord): Promise<number> {
  const url = new URL(req.url ?? '/', 'http://mock');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (req.method === 'OPTIONS') return send(res, 204, '', { 'Access-Control-Max-Age': '600' });
  if (parts[0] === '__mock') return control(req, res, hub, parts[1] ?? '');
  const api = parts[0] === 'api' && parts[1] === 'models';
  const [owner, name, verb, rev, ...rest] = api ? parts.slice(2) : parts;
  const repo = repos.get(`${owner}/${name}`);
  if (!repo) return notFound(res, 'RepoNotFound', `Repository ${owner}/${name} not found`);
  if (rev !== undefined && rev !== 'main' && rev !== repo.commit) return notFound(res, 'RevisionNotFound', `Invalid rev id: ${rev}`);
  if (api && verb === 'tree') {
    const body = JSON.stringify(treeEntries(repo.files, rest.join('/'), url.searchParams.get('recursive') === 'true'));
    return send(res, 200, body, { 'Content-Type': 'application/json' });
  }
  if (api || verb !== 'resolve' || rev === undefined) return notFound(res, 'EntryNotFound', `no route ${url.pathname}`);
  const path = rest.join('/');
  record.path = path;
  const file = repo.files.get(path);
  if (!file) return notFound(res, 'EntryNotFound', `${path} does not exist on "${rev}"`);
  const fault = hub.faults.take(path, url.searchParams);
  if (fault) record.fault = fault.fault;
  return serveFile(req, res, repo, file, fault);
}

export async function startMockHub(opts: MockHubOptions = {}): Promise<MockHub> {
  const folders: Record<string, string> = { ...opts.repos };
  if (opts.root) folders[opts.repo ?? 'local/toy-shapes'] = opts.root;
  const repos = new Map<string, Repo>();
  for (const [id, folder] of Object.entries(folders)) {
    if (!existsSync(resolve(folder))) {
      throw new Error(`mock Hub: ${resolve(folder)} does not exist (the toy model is exported to public/models/toy-shapes; pass --root)`);
    }
    const files = await indexFolder(resolve(folder));
    const commit = createHash('sha1').update([...files.values()].map((f) => `${f.path}:${f.sha256}`).sort().join('\n')).digest('hex');
    repos.set(id, { files, commit });
  }
  const hub = { faults: new FaultBook(), requests: [] as RequestRecord[] } as MockHub;
  const server: Server = createServer((req, res) => {
    const record: RequestRecord = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0 };
    if (req.headers.range) record.range = String(req.headers.range);
    hub.requests.push(record);
    route(req, res, hub, repos, record).then(
      (status) => (record.status = status),
      (err: unknown) => {
        record.status = 500;
        if (!res.headersSent) send(res, 500, String(err));
        else res.destroy();
      },
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  hub.port = port;
  hub.url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  hub.commit = repos.values().next().value?.commit ?? '';
  hub.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return hub;
}

// CLI: tsx scripts/mock-hub.ts [--root public/models/toy-shapes] [--repo local/toy-shapes] [--port 8787]
//      [--also owner/name=folder ...] (more repos, e.g. the toy model in its external-weights form)
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const arg = (name: string, fallback: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
  };
  const repos: Record<string, string> = {};
  process.argv.forEach((a, i) => {
    const [id, folder] = a === '--also' ? (process.argv[i + 1] ?? '').split('=') : [];
    if (id && folder) repos[id] = folder;
  });
  const repo = arg('repo', 'local/toy-shapes');
  const hub = await startMockHub({ root: arg('root', 'public/models/toy-shapes'), repo, repos, port: Number(arg('port', '8787')), host: arg('host', '127.0.0.1') }).catch(
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
  console.log(`mock Hub at ${hub.url}  (repo ${repo}, commit ${hub.commit})`);
  console.log(`  files:   ${hub.url}/${repo}/resolve/main/model_index.json`);
  console.log(`  tree:    ${hub.url}/api/models/${repo}/tree/main?recursive=true`);
  console.log(`  faults:  POST ${hub.url}/__mock/faults [{"fault":"drop","path":"unet/model.onnx","times":1}]  or  ?fault=drop|404|500|wrong-length|corrupt|trickle`);
  const stop = (): void => void hub.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
