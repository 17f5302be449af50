import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Manual measurements against the built app (never part of `npm test`: `*.measure.ts` only), e.g.
// `npx playwright test -c playwright.measure.config.ts` (e2e/measure/). Chromium measures memory eagerly here.
const args = [...(base.use?.launchOptions?.args ?? []), '--enable-blink-features=ForceEagerMeasureMemory'];

export default defineConfig({
  ...base,
  testDir: 'e2e/measure',
  testMatch: '**/*.measure.ts',
  timeout: 30 * 60_000,
  reporter: [['list']],
  use: { ...base.use, launchOptions: { ...base.use?.launchOptions, args } },
});
