/**
 * Builds the site with Vite into a given folder, as `npm run build` does (production) or as the e2e server
 * does (`P2P_TEST_HOOKS=1`), in a child process so that each build reads its own environment when Vite loads
 * vite.config.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_HOOKS_ENV } from '../testHooks';

export const REPO_ROOT = join(import.meta.dirname, '../..');

export function buildSite(outDir: string, options: { testHooks: boolean }): void {
  const env = { ...process.env };
  if (options.testHooks) env[TEST_HOOKS_ENV] = '1';
  else delete env[TEST_HOOKS_ENV];
  const vite = join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build into ${outDir} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
}
