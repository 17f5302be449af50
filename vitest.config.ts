import { defineConfig } from 'vitest/config';

// Unit tests run in Node, beside the code they test (`*.test.ts`).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
