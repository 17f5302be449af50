/**
 * Temp folders for tests: `testTempDir` makes one and remembers it; `removeTestTempDirs` deletes every one this
 * process made. Vitest calls it after each test file (tests/setup.ts); a Playwright spec calls it in its afterAll.
 * Without it every `npm test` left ~0.5 GB of model files in the system temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

export function removeTestTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
