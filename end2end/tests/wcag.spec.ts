import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

// Every page passes axe-core's WCAG 2 A and AA rules, with the data the
// earlier specs left behind (clusters, sign-offs, waivers, tasks, users).
// Runs last (file order).

async function violations(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('every page passes WCAG 2 A/AA (axe-core)', async ({ page }) => {
  await page.goto('/login');
  expect(await violations(page), '/login').toEqual([]);
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
  for (const path of ['/', '/clusters/1', '/clusters/1/report', '/clusters/new', '/day2', '/waivers', '/export', '/tokens', '/users']) {
    await page.goto(path);
    expect(await violations(page), path).toEqual([]);
  }
});

test('on a 1400 px screen the fleet table scrolls in its frame with the cluster column fixed', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
  const table = page.getByTestId('fleet');
  const frame = table.locator('xpath=..');
  // The page itself does not scroll sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1400);
  await frame.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
  const frameBox = await frame.boundingBox();
  const firstCell = await table.locator('tbody tr').first().locator('td, th').first().boundingBox();
  expect(Math.abs(firstCell!.x - frameBox!.x)).toBeLessThanOrEqual(2);
});
