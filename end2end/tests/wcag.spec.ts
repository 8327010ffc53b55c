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
