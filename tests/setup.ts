// Runs before each unit-test file (vitest.config.ts `setupFiles`): its temp folders go when the file is done.
import { afterAll } from 'vitest';
import { removeTestTempDirs } from './helpers/tempDir';

afterAll(removeTestTempDirs);
