// Types of test-summary.mjs (plain JS so that it runs without a build step) for its unit test.
export interface Summary {
  passed: number;
  failed: number;
  problems: string[];
  lines: string[];
}
export function summarize(dir?: string): Summary;
export function summaryLine(summary: Pick<Summary, 'passed' | 'failed' | 'problems'>): string;
export function failureContexts(resultsDir?: string, maxLines?: number): string[];
