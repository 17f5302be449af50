/**
 * Vite plugin (build only) for the offline shell: emits the service worker (src/offline/sw.ts) as its own chunk,
 * `isolation-sw.js` beside index.html, checks that it imports nothing (a classic worker script cannot), and once
 * the build is written prepends the precache manifest of every written file (./precache.ts). The dev server has
 * no service worker: it sends COOP/COEP itself, and a caching worker would fight hot reloads.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { SW_FILE } from '../../src/offline/shell';
import { writePrecacheManifest } from './precache';

const SW_ENTRY = fileURLToPath(new URL('../../src/offline/sw.ts', import.meta.url));

export function offlineShell(): Plugin {
  return {
    name: 'p2p-offline-shell',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: SW_ENTRY, fileName: SW_FILE });
    },
    generateBundle(_options, bundle) {
      const chunk = bundle[SW_FILE];
      if (!chunk || chunk.type !== 'chunk') this.error(`${SW_FILE} was not emitted as a chunk`);
      else if (chunk.imports.length > 0 || chunk.dynamicImports.length > 0) {
        this.error(`${SW_FILE} must not import other chunks (it runs as a classic script): it imports ${[...chunk.imports, ...chunk.dynamicImports].join(', ')}`);
      }
    },
    writeBundle: {
      order: 'post',
      sequential: true,
      handler(options) {
        if (!options.dir) this.error('the offline shell needs an output folder');
        else writePrecacheManifest(options.dir);
      },
    },
  };
}
