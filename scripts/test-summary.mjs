#!/usr/bin/env node
// Prints one line, "N passed, N failed", summing the unit (vitest) and e2e (Playwright) JSON reports
// written by `npm test`. A missing report, or a test file that failed to load, counts as a failure so
// a crashed stage is never hidden.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function readReport(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

export function summarize(dir = '.test-reports') {
  let passed = 0;
  let failed = 0;
  const notes = [];
  const unit = readReport(`${dir}/unit.json`);
  if (unit) {
    const unloaded = (unit.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0);
    passed += unit.numPassedTests ?? 0;
    failed += (unit.numFailedTests ?? 0) + unloaded.length;
  } else {
    failed += 1;
    notes.push('no unit-test report');
  }
  const e2e = readReport(`${dir}/e2e.json`);
  if (e2e) {
    passed += e2e.stats?.expected ?? 0;
    failed += (e2e.stats?.unexpected ?? 0) + (e2e.stats?.flaky ?? 0) + (e2e.errors?.length ?? 0);
  } else {
    failed += 1;
    notes.push('no e2e report');
  }
  return { passed, failed, notes };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { passed, failed, notes } = summarize(process.argv[2]);
  if (notes.length) console.log(`(${notes.join('; ')})`);
  console.log(`${passed} passed, ${failed} failed`);
}
