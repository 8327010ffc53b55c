import { expect, Page, Locator } from '@playwright/test';

// What the browser specs share: the first admin, hydration, the CSRF
// header, and one checklist item by its id.

export const admin = { name: 'ada', password: 'ada-password-1' };

export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

// State changes with the session cookie must say they come from this site
// (as the browser does for its own fetches and forms).
export function sameOrigin(page: Page) {
  return { origin: new URL(page.url()).origin };
}

export function item(page: Page, id: string): Locator {
  return page.locator(`article[data-item="${id}"]`);
}

// Items are one line each; their details and forms open in place.
export async function openItem(page: Page, id: string) {
  const row = item(page, id).locator('details.item-row');
  if ((await row.getAttribute('open')) === null) await row.locator('summary.item-head').click();
  await expect(row).toHaveAttribute('open', '');
}
