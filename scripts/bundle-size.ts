/**
 * `npm run bundle-size` (and the "bundle size" stage of `npm test`): builds the production site once into a
 * temporary folder (or reads `--dir <folder>`), prints the raw and gzip size of every emitted chunk against
 * bundle-budget.json, checks that the e2e test hook is absent, and exits non-zero when over budget or when the
 * hook is there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkBudget, formatReport, parseBudget } from './bundle/budget';
import { buildSite, REPO_ROOT } from './bundle/build';
import { GZIP_LEVEL, listBuild, testHookTraces } from './bundle/inspect';

const { values } = parseArgs({ options: { dir: { type: 'string' }, budget: { type: 'string', default: join(REPO_ROOT, 'bundle-budget.json') } } });

const temp = values.dir ? undefined : mkdtempSync(join(tmpdir(), 'p2p-bundle-'));
const outDir = values.dir ?? join(temp!, 'dist');
try {
  if (temp) {
    const started = Date.now();
    buildSite(outDir, { testHooks: false });
    console.log(`production build (vite build, no test hooks) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const budget = parseBudget(JSON.parse(readFileSync(values.budget, 'utf8')));
  const files = listBuild(outDir, join(REPO_ROOT, 'public'));
  const report = checkBudget(files, budget);
  console.log(`gzip: node:zlib level ${GZIP_LEVEL}; budget: ${values.budget}\n`);
  for (const line of formatReport(report, budget)) console.log(line);
  const traces = testHookTraces(outDir, files);
  const hookProblems = [...traces.strings, ...traces.workers.map((w) => `test-only worker ${w}`)];
  console.log(`\ntest hook in the production build: ${hookProblems.length ? hookProblems.join(', ') : 'none (no window.__studio, no test-only workers)'}`);
  const failures = [...report.failures, ...hookProblems.map((p) => `test hook: ${p}`)];
  if (failures.length) {
    console.log(`\nbundle check failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else console.log('\nbundle within budget');
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
