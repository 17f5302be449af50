import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The browser benchmark (npm run bench): e2e/bench/*.bench.ts only — `npm test` never matches those names.
// Builds e2e/bench/index.html with its own Vite config and serves it cross-origin isolated.
const port = Number(process.env.BENCH_PORT ?? 4273);
const vite = '--config e2e/bench/vite.bench.config.ts';
const args = [...(base.use?.launchOptions?.args ?? []), '--enable-blink-features=ForceEagerMeasureMemory'];

export default defineConfig({
  ...base,
  testDir: 'e2e/bench',
  testMatch: '**/*.bench.ts',
  timeout: 15 * 60_000,
  reporter: [['list']],
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}`, launchOptions: { ...base.use?.launchOptions, args } },
  webServer: {
    command: `npx vite build ${vite} && npx vite preview ${vite} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    // Built like the e2e app (scripts/testHooks.ts); the bench page itself drives EngineClient directly.
    env: { P2P_TEST_HOOKS: '1' },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
  },
});
