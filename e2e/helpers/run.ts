/** Waiting for a studio run as a user sees it end: the run bar says "Done.". */
import { expect, type Page } from '@playwright/test';

export async function waitForDone(page: Page, timeout = 120_000): Promise<void> {
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout });
}
