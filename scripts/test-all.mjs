#!/usr/bin/env node
// `npm test`: typecheck, unit tests (vitest, Node), bundle size (one production build against bundle-budget.json,
// scripts/bundle-size.ts) and end-to-end tests (Playwright, Debian Chromium).
// Every stage runs even when an earlier one fails, so one run shows everything; the closing summary gives each
// runner's own counts, then "N passed, N failed" over unit and e2e tests (scripts/test-summary.mjs), and the exit
// code is non-zero if anything failed.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { failureContexts, summarize, summaryLine } from './test-summary.mjs';

const reports = '.test-reports';
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

function run(label, command) {
  console.log(`\n=== ${label}: ${command}`);
  const started = Date.now();
  const r = spawnSync(command, { stdio: 'inherit', shell: true });
  console.log(`=== ${label}: ${r.status === 0 ? 'ok' : `failed (exit ${r.status})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return r.status === 0;
}

const typecheck = run('typecheck', 'npm run --silent typecheck');
const unit = run('unit tests', `npx vitest run --reporter=default --reporter=json --outputFile.json=${reports}/unit.json`);
const bundle = run('bundle size', 'npm run --silent bundle-size');
const e2e = run('e2e tests', 'npm run --silent test:e2e');
if (!e2e) {
  const contexts = failureContexts(process.env.E2E_RESULTS ?? 'test-results');
  if (contexts.length) console.log(`\n=== what each failed e2e test left (the page when it stopped)\n${contexts.join('\n')}`);
}

// Stages that are not test runners are recorded too, so that any later summary (.ci/run prints one) says so.
writeFileSync(`${reports}/stages.json`, JSON.stringify({ typecheck, 'bundle size check': bundle }));
const summary = summarize(reports);
summary.lines.push(`bundle size: ${bundle ? 'within bundle-budget.json, no test hook in the production build' : 'failed (see above)'}`);
console.log('');
for (const line of summary.lines) console.log(line);
console.log(summaryLine(summary));
process.exit(typecheck && unit && bundle && e2e && summary.failed === 0 && summary.problems.length === 0 ? 0 : 1);
