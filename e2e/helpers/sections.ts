/**
 * The studio folds advanced settings into collapsible sections (`<details>`, src/app/controls/Section.tsx);
 * a test opens one as a user would, by clicking its title, before using what is inside.
 */
import type { Page } from '@playwright/test';

export type SectionId = 'model-section' | 'sampling' | 'local-edit' | 'prompt-options';

export async function openSection(page: Page, id: SectionId): Promise<void> {
  const section = page.getByTestId(id);
  if (!(await section.evaluate((d: HTMLDetailsElement) => d.open))) await section.locator('summary').click();
}
