import { test, expect, Page } from '@playwright/test';

// People whose passwords live elsewhere: an LDAP directory (Debian's slapd,
// started by the Playwright config with the shared test directory) and an
// OpenID provider (tests/oidc/provider.mjs). Runs after checklist.spec.ts,
// which set the install up.
test.describe.configure({ mode: 'serial' });

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function logInWithPassword(page: Page, name: string, password: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('an LDAP user logs in with the directory password and the role their group gives', async ({ page }) => {
  // In no mapped group: told why, not just "wrong password".
  await logInWithPassword(page, 'uma', 'uma-pass-123');
  await expect(page.getByRole('alert')).toContainText('none of your groups gives a Shipshape role');
  // A wrong directory password reads like any wrong password.
  await logInWithPassword(page, 'sam', 'not-his-password');
  await expect(page.getByRole('alert')).toContainText('Wrong user name or password');
  // In cn=trino-sres: an SRE.
  await logInWithPassword(page, 'sam', 'sam-pass-123');
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText('sam');
  await expect(page.locator('.who .role')).toHaveText('sre');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('single sign-on: log in at the provider and come back with the mapped role', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.locator('section.card').screenshot({ path: '../docs/screenshots/login.png' });
  await page.getByRole('link', { name: 'Log in with Example SSO' }).click();
  // The provider's own page (another origin), then straight back.
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Username').fill('olivia');
  await page.getByLabel('Password').fill('olivia-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText('olivia');
  await expect(page.locator('.who .role')).toHaveText('admin');
  // She is an admin (trino-admins): the Users page lists both kinds of
  // account by where they are kept, without password or role forms.
  await page.getByRole('link', { name: 'Users' }).click();
  await hydrated(page);
  await expect(page.locator('tr[data-user="olivia"]')).toContainText('oidc');
  await expect(page.locator('tr[data-user="sam"]')).toContainText('ldap');
  await expect(page.locator('tr[data-user="sam"]').getByRole('button', { name: 'Reset password' })).toHaveCount(0);
  await expect(page.locator('tr[data-user="sam"]').getByRole('button', { name: 'Disable' })).toBeVisible();
  await page.screenshot({ path: '../docs/screenshots/users-directory.png', fullPage: true });
  const rows = await (await page.request.get('/api/v1/export/signoffs.jsonl?item=_account')).text();
  expect(rows).toContain('"note":"created sam as sre (ldap)"');
  expect(rows).toContain('"note":"created olivia as admin (oidc)"');
});

test('single sign-on for someone in no mapped group ends on a clear page', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Log in with Example SSO' }).click();
  await page.getByLabel('Username').fill('ivan');
  await page.getByLabel('Password').fill('ivan-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('none of your groups gives a Shipshape role');
  await page.getByRole('link', { name: 'Back to the login page' }).click();
  await expect(page).toHaveURL(/\/login$/);
});
