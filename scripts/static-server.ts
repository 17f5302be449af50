/**
 * A plain static file server (node:http) for the built site, as a bare static host would serve it: files with
 * their MIME types (application/wasm, text/javascript for .js/.mjs), no special headers unless asked. Used by
 * e2e/static-hosting.spec.ts; also a command: `npx tsx scripts/static-server.ts dist [--base /p2p-studio/]
 * [--isolation] [--port 8080]`.
 * - `base`: the sub-path the site lives under (a GitHub-Pages project page); anything outside it is 404.
 * - `isolation`: also send COOP: same-origin and COEP: require-corp, as docs/hosting.md asks hosts to.
 * - `replace`: paths (under the site) answered with other content, or 404 when `null` (tests of failures).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

export interface StaticServerOptions {
  root: string;
  /** Sub-path, with leading and trailing slash; default '/'. */
  base?: string;
  isolation?: boolean;
  port?: number;
  replace?: Record<string, { type: string; body: string } | null>;
}

export interface StaticServer {
  /** The site's URL, ending in the base path. */
  url: string;
  close(): Promise<void>;
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const base = options.base ?? '/';
  const headers: Record<string, string> = options.isolation
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (!path.startsWith(base)) {
        res.writeHead(404, headers).end('not found');
        return;
      }
      const inSite = `/${path.slice(base.length)}`;
      if (options.replace && inSite in options.replace) {
        const r = options.replace[inSite];
        if (r) res.writeHead(200, { ...headers, 'Content-Type': r.type }).end(r.body);
        else res.writeHead(404, headers).end('not found');
        return;
      }
      let file = normalize(join(root, inSite));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403, headers).end('forbidden');
        return;
      }
      let info = await stat(file).catch(() => undefined);
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => undefined);
      }
      if (!info?.isFile()) {
        res.writeHead(404, headers).end('not found');
        return;
      }
      res.writeHead(200, {
        ...headers,
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': String(info.size),
        'Cache-Control': 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections(); // keep-alive sockets would hold close() for seconds
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const root = args.find((a, i) => !a.startsWith('--') && !['--base', '--port'].includes(args[i - 1] ?? '')) ?? 'dist';
  const server = await startStaticServer({ root, base: flag('--base') ?? '/', isolation: args.includes('--isolation'), port: Number(flag('--port') ?? 8080) });
  console.log(`Serving ${root} at ${server.url}${args.includes('--isolation') ? ' with COOP/COEP' : ' without special headers'}`);
}
