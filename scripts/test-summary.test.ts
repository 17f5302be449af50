// The closing summary counts tests as the runners do and reports files that never ran apart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureContexts, summarize, summaryLine } from './test-summary.mjs';
import { testTempDir } from '../tests/helpers/tempDir';

function reports(unit?: object, e2e?: object): string {
  const dir = testTempDir('summary-');
  if (unit) writeFileSync(join(dir, 'unit.json'), JSON.stringify(unit));
  if (e2e) writeFileSync(join(dir, 'e2e.json'), JSON.stringify(e2e));
  return dir;
}

const passedFile = { status: 'passed', assertionResults: [{ status: 'passed' }] };
const unloadedFile = { status: 'failed', assertionResults: [] };
const failingFile = { status: 'failed', assertionResults: [{ status: 'failed' }, { status: 'passed' }] };

describe('test summary', () => {
  it('reports vitest\'s own counts and the files that did not load apart (the fresh-clone case)', () => {
    const unit = { numPassedTests: 178, numFailedTests: 1, numPendingTests: 0, testResults: [...Array(8).fill(unloadedFile), failingFile, passedFile] };
    const e2e = { stats: { expected: 40, unexpected: 0, flaky: 0, skipped: 0 }, errors: [] };
    const s = summarize(reports(unit, e2e));
    expect(s.passed).toBe(218);
    expect(s.failed).toBe(1);
    expect(s.lines[0]).toBe('unit (vitest): 178 passed, 1 failed, 0 skipped; test files: 1 passed, 9 failed');
    expect(summaryLine(s)).toBe('218 passed, 1 failed, and 8 unit test files failed before any test ran');
  });

  it('never hides a missing report, a flaky test or an error outside tests', () => {
    const e2e = { stats: { expected: 3, unexpected: 1, flaky: 1, skipped: 0 }, errors: [{ message: 'x' }] };
    const s = summarize(reports(undefined, e2e));
    expect(summaryLine(s)).toBe('3 passed, 1 failed, and no unit-test report, 1 flaky e2e test (passed on retry), 1 e2e error outside tests');
  });

  it('says the typecheck failed, also when the summary is printed again later (as .ci/run does)', () => {
    const dir = reports({ numPassedTests: 2, numFailedTests: 0, testResults: [passedFile] }, { stats: { expected: 1, unexpected: 0 } });
    writeFileSync(join(dir, 'stages.json'), JSON.stringify({ typecheck: false }));
    expect(summaryLine(summarize(dir))).toBe('3 passed, 0 failed, and the typecheck failed');
  });

  it('is exactly "N passed, N failed" when everything ran', () => {
    const s = summarize(reports({ numPassedTests: 2, numFailedTests: 0, testResults: [passedFile] }, { stats: { expected: 1, unexpected: 0 } }));
    expect(summaryLine(s)).toBe('3 passed, 0 failed');
  });
});

describe('failure contexts', () => {
  it('prints each failed test\'s error context from "# Test info" on, cut to the line limit', () => {
    const dir = testTempDir('results-');
    mkdirSync(join(dir, 'hub-any-repo'));
    const page = Array.from({ length: 10 }, (_, i) => `- button "B${i}" [disabled]`);
    writeFileSync(join(dir, 'hub-any-repo', 'error-context.md'), ['# Instructions', '- explain', '# Test info', '- Name: x', ...page].join('\n'));
    const [one, ...rest] = failureContexts(dir, 4);
    expect(rest).toEqual([]);
    expect(one.split('\n')).toEqual([`--- ${join('hub-any-repo', 'error-context.md')}`, '# Test info', '- Name: x', '- button "B0" [disabled]', '- button "B1" [disabled]', '… (8 more lines)']);
    expect(failureContexts(join(dir, 'absent'))).toEqual([]);
  });
});
