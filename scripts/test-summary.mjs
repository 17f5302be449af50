#!/usr/bin/env node
// Prints the closing summary of `npm test` from the unit (vitest) and e2e (Playwright) JSON reports: one line
// per runner with that runner's own counts, then "N passed, N failed" over both, counted exactly as the runners
// count tests (vitest: numPassedTests/numFailedTests; Playwright: expected/unexpected, flaky shown apart).
// Things that are not tests are never folded into those numbers but are appended to the last line, so that a
// crashed stage is never hidden: a failed typecheck, test files that failed to load, errors outside tests, a
// missing report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function readReport(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function summarize(dir = '.test-reports') {
  let passed = 0;
  let failed = 0;
  const lines = [];
  const problems = [];
  // Stages that are not test runners (the typecheck): { name: ok }, written by test-all.mjs.
  for (const [stage, ok] of Object.entries(readReport(`${dir}/stages.json`) ?? {})) if (!ok) problems.push(`the ${stage} failed`);
  const unit = readReport(`${dir}/unit.json`);
  if (unit) {
    const files = unit.testResults ?? [];
    const failedFiles = files.filter((f) => f.status === 'failed');
    const unloaded = failedFiles.filter((f) => (f.assertionResults ?? []).length === 0);
    passed += unit.numPassedTests ?? 0;
    failed += unit.numFailedTests ?? 0;
    lines.push(`unit (vitest): ${unit.numPassedTests ?? 0} passed, ${unit.numFailedTests ?? 0} failed, ${unit.numPendingTests ?? 0} skipped; test files: ${files.length - failedFiles.length} passed, ${failedFiles.length} failed`);
    if (unloaded.length) problems.push(`${plural(unloaded.length, 'unit test file')} failed before any test ran`);
  } else {
    problems.push('no unit-test report');
  }
  const e2e = readReport(`${dir}/e2e.json`);
  if (e2e) {
    const s = e2e.stats ?? {};
    passed += s.expected ?? 0;
    failed += s.unexpected ?? 0;
    lines.push(`e2e (Playwright): ${s.expected ?? 0} passed, ${s.unexpected ?? 0} failed, ${s.flaky ?? 0} flaky, ${s.skipped ?? 0} skipped`);
    if (s.flaky) problems.push(`${plural(s.flaky, 'flaky e2e test')} (passed on retry)`);
    if (e2e.errors?.length) problems.push(`${plural(e2e.errors.length, 'e2e error')} outside tests`);
  } else {
    problems.push('no e2e report');
  }
  return { passed, failed, problems, lines };
}

/**
 * What each failed e2e test left in Playwright's output folder (`error-context.md`: the error and the page as an
 * accessibility snapshot), at most `maxLines` lines each: a log that CI shows (and nothing else of the run) then
 * says what the page looked like when a step got stuck.
 */
export function failureContexts(resultsDir = 'test-results', maxLines = 60) {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('error-context.md'))
    .sort()
    .map((f) => {
      const lines = readFileSync(join(resultsDir, f), 'utf8').split('\n');
      // Playwright's file opens with instructions for an assistant; the test's own part starts at "# Test info".
      const from = Math.max(0, lines.findIndex((l) => l.startsWith('# Test info')));
      const kept = lines.slice(from, from + maxLines);
      const cut = lines.length - from - kept.length;
      return `--- ${f}\n${kept.join('\n')}${cut > 0 ? `\n… (${cut} more lines)` : ''}`;
    });
}

/** The last line: "N passed, N failed", plus what else went wrong. */
export function summaryLine({ passed, failed, problems }) {
  return `${passed} passed, ${failed} failed${problems.length ? `, and ${problems.join(', ')}` : ''}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = summarize(process.argv[2]);
  for (const l of s.lines) console.log(l);
  console.log(summaryLine(s));
}
