import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { embeddedModelDefine } from './scripts/embeddedModelBytes';

// Cross-origin isolation lets onnxruntime-web use multi-threaded wasm (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  define: embeddedModelDefine(import.meta.dirname),
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
