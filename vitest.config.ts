import { defineConfig } from 'vitest/config';
import { embeddedModelDefine } from './scripts/embeddedModelBytes';

// Unit tests run in Node, beside the code they test (`*.test.ts`).
export default defineConfig({
  define: { ...embeddedModelDefine(import.meta.dirname), __P2P_CONNECT_SRC__: 'null' },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    setupFiles: ['tests/setup.ts'],
  },
});
