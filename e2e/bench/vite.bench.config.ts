// Vite build of the browser benchmark page (e2e/bench/index.html): the app's config (isolation headers,
// worker format, ORT kept unbundled) with this folder as root, the app's public/ (models), output in out/.
import { resolve } from 'node:path';
import { defineConfig, mergeConfig } from 'vite';
import base from '../../vite.config';

const root = resolve(import.meta.dirname, '../..');

export default defineConfig((env) =>
  mergeConfig(base(env), {
    root: resolve(root, 'e2e/bench'),
    publicDir: resolve(root, 'public'),
    build: { outDir: resolve(root, 'out/bench-page'), emptyOutDir: true },
  }),
);
