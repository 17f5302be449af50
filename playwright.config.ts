import { defineConfig } from '@playwright/test';

// End-to-end tests drive Debian's Chromium (never a downloaded browser) against the built app.
// WebGPU runs on SwiftShader there: correct but slow, no shader-f16.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4173);
// A separate build folder lets a second run (another port) go on while one is being served.
const outDir = process.env.E2E_OUT_DIR ?? 'dist';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.E2E_REPORT ?? '.test-reports/e2e.json' }]],
  outputDir: process.env.E2E_RESULTS ?? 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Below the test timeout: an action or a navigation that never completes (a click on a button that stays
    // disabled) fails with its call log, naming the step, instead of as a bare "Test timeout".
    actionTimeout: 90_000,
    navigationTimeout: 90_000,
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--enable-unsafe-webgpu',
      ],
    },
  },
  webServer: {
    command: `npx vite build --outDir ${outDir} && npx vite preview --outDir ${outDir} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    // The built site's CSP must also let the page reach the tests' local mock Hub (scripts/csp.ts), and the specs
    // drive the page through the test hook `window.__studio`, which only a P2P_TEST_HOOKS=1 build has (scripts/testHooks.ts).
    env: { P2P_CSP_CONNECT: 'http://127.0.0.1:*', P2P_TEST_HOOKS: '1' },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
  },
});
