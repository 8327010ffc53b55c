import * as fs from 'fs';
import * as path from 'path';
import { test, expect, Page, Locator } from '@playwright/test';
import { admin, hydrated, sameOrigin, item, openItem } from './pages';

// One person's first session on a fresh install, in order.
test.describe.configure({ mode: 'serial' });

const cluster = 'analytics-prod';

async function record(page: Page, id: string, choice: 'Done' | 'Not applicable' | 'Revoke', note: string) {
  await openItem(page, id);
  const card = item(page, id);
  // the sign-off form, not the waiver request (which has its own "Not applicable")
  await card.locator('form.signoff').getByLabel(choice, { exact: true }).check();
  await card.getByLabel('Note').fill(note);
  await card.getByRole('button', { name: 'Record' }).click();
}

test('first run creates the admin account, with the setup token the server printed', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await hydrated(page);
  // The token the server wrote to its data directory at start-up.
  const token = fs.readFileSync(path.resolve(process.cwd(), '../target/e2e-data/setup-token'), 'utf8').trim();
  await page.getByLabel('Setup token').fill('not-the-token');
  await page.getByLabel('User name').fill(admin.name);
  await page.getByLabel('Password (at least 10 characters)').fill(admin.password);
  await page.getByLabel('Repeat the password').fill(admin.password);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByText('Give the setup token the server printed')).toBeVisible();
  await page.getByLabel('Setup token').fill(token);
  await page.getByLabel('User name').fill(admin.name);
  await page.getByLabel('Password (at least 10 characters)').fill(admin.password);
  await page.getByLabel('Repeat the password').fill('something-else');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByText('The two passwords differ.')).toBeVisible();
  await page.getByLabel('Repeat the password').fill(admin.password);
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText(admin.name);
  await expect(page.getByText('No clusters yet')).toBeVisible();
});

test('log out and back in', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('User name').fill(admin.name);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong user name or password');
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

async function logIn(page: Page) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('User name').fill(admin.name);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
}

test('register a cluster, with field errors first', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: 'Register a cluster' }).click();
  await expect(page).toHaveURL(/\/clusters\/new$/);
  await hydrated(page);
  await page.getByLabel('Name').fill(cluster);
  await page.getByLabel('Environment', { exact: true }).fill('prod');
  await page.getByLabel('Coordinator URL').fill('trino.example.com');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByText('Not a valid URL')).toBeVisible();
  await page.getByLabel('Coordinator URL').fill('https://trino.example.com:8443');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page).toHaveURL(/\/clusters\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(cluster);
});

test('sign off three items and one not applicable, in place', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: cluster }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(cluster);
  await hydrated(page);
  // A marker that a full page load would erase: updates must happen in place.
  await page.evaluate(() => ((window as any).__noReload = true));

  for (const [id, note] of [
    ['coordinator-isolation', 'include-coordinator=false in config.properties'],
    ['spill', 'spill on /nvme/trino-spill'],
    ['memory-guardrails', 'limits set per node'],
  ]) {
    await record(page, id, 'Done', note);
    await expect(item(page, id).locator('.item-head [data-status]')).toHaveText('Done');
    await expect(item(page, id).getByTestId('last-signoff')).toContainText(`Signed off by ${admin.name}`);
  }

  // Not applicable needs a reason.
  await record(page, 'tls', 'Not applicable', '');
  await expect(item(page, 'tls').getByText('a reason is required')).toBeVisible();
  await record(page, 'tls', 'Not applicable', 'TLS terminates at the load balancer');
  await expect(item(page, 'tls').locator('.item-head [data-status]')).toHaveText('Not applicable');
  await expect(item(page, 'tls').getByTestId('last-signoff')).toContainText('TLS terminates at the load balancer');

  await expect(page.locator('.overall .progress-text')).toContainText('3/30 · 10%');
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
});

test('after a reload the sign-offs are still there; revoke one and read its history', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: cluster }).click();
  // The address changes once the cluster page's code (a lazy route) is in.
  await page.waitForURL(/\/clusters\/\d+$/);
  await hydrated(page);
  await page.reload();
  await hydrated(page);
  for (const id of ['coordinator-isolation', 'spill', 'memory-guardrails']) {
    await expect(item(page, id).locator('.item-head [data-status]')).toHaveText('Done');
  }
  await expect(item(page, 'tls').locator('.item-head [data-status]')).toHaveText('Not applicable');

  await record(page, 'spill', 'Revoke', 'spill disk not mounted on worker-3');
  await expect(item(page, 'spill').locator('.item-head [data-status]')).toHaveText('Open');
  await expect(item(page, 'spill').getByTestId('last-signoff')).toContainText(`Revoked by ${admin.name}`);

  await item(page, 'spill').getByRole('button', { name: 'History' }).click();
  const rows = item(page, 'spill').locator('.history-table tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('revoked');
  await expect(rows.nth(0)).toContainText('spill disk not mounted on worker-3');
  await expect(rows.nth(1)).toContainText('done');
  await expect(rows.nth(1)).toContainText(admin.name);

  // The fleet page shows the new readiness.
  await page.goto('/');
  const row = page.locator(`tr[data-cluster="${cluster}"]`);
  await expect(row).toContainText('2/30 · 6%');
  await expect(row.locator('[data-section="reliability"]')).toHaveText('2/4');
});

test('runbook corrections are visible to the user', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: cluster }).click();
  await hydrated(page);
  const prom = item(page, 'prometheus-grafana');
  await expect(prom.getByText('correction', { exact: true })).toBeVisible();
  await openItem(page, 'prometheus-grafana');
  await prom.getByText('What, why and how to verify').click();
  await expect(prom.locator('.correction')).toContainText('trino_execution_name_QueryManager_RunningQueries');
});

test('archive a cluster, find it among archived ones, restore it', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: cluster }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Archive' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
  await expect(page.getByText('No clusters yet')).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Include archived').check();
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect(page).toHaveURL(/archived=1/);
  await page.getByRole('link', { name: cluster }).click();
  await expect(page.getByText('This cluster is archived')).toBeVisible();
  await expect(item(page, 'spill').getByRole('button', { name: 'Record' })).toHaveCount(0);
  await hydrated(page);
  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByText('This cluster is archived')).toHaveCount(0);
  await openItem(page, 'spill');
  await expect(item(page, 'spill').getByRole('button', { name: 'Record' })).toBeVisible();
});

test('run live checks on a simulated cluster: passes, a failure with evidence, a regressed item', async ({ page }) => {
  const simPort = Number(process.env.E2E_SIM_PORT ?? 3918);
  await logIn(page);
  await page.getByRole('link', { name: 'Register a cluster' }).click();
  await hydrated(page);
  await page.getByLabel('Name').fill('legacy-prod');
  await page.getByLabel('Environment', { exact: true }).fill('prod');
  await page.getByLabel('Coordinator URL').fill(`https://127.0.0.1:${simPort}`);
  // Credentials need a secret variable; a bad name is refused in place.
  await page.getByLabel('Authentication', { exact: true }).selectOption('basic');
  await page.getByLabel('Secret\'s environment variable').fill('HOME');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByText('Give the user to log in as')).toBeVisible();
  await expect(page.getByText('Name the server\'s environment variable')).toBeVisible();
  await page.getByLabel('Authentication', { exact: true }).selectOption('none');
  await page.getByLabel('Secret\'s environment variable').fill('');
  // The simulator's test CA, as an operator would install a company CA.
  await page.getByLabel('CA file (PEM, on the Shipshape server)').fill(path.resolve(process.cwd(), '../target/e2e-sim-ca.pem'));
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('legacy-prod');
  await expect(page.getByTestId('connection')).toContainText('trusts /');
  await hydrated(page);
  await expect(item(page, 'spill').locator('[data-check]')).toHaveText('Live check: not run yet.');

  await record(page, 'spill', 'Done', 'spill configured last quarter');
  await expect(item(page, 'spill').locator('.item-head [data-status]')).toHaveText('Done');

  await page.getByRole('button', { name: 'Run checks now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'checks ran' })).toHaveText('20 checks ran.');
  await expect(item(page, 'authorization').locator('.check-badge')).toHaveText('check: pass');
  await expect(item(page, 'worker-node-loss').locator('.check-badge')).toHaveText('check: pass');
  const spill = item(page, 'spill');
  await expect(spill.locator('.check-badge')).toHaveText('check: fail');
  // One failed run does not count yet (a flaky network must not regress an item).
  await expect(spill.getByTestId('not-counted')).toContainText('fail 1 run(s) in a row, not counted yet');
  await expect(spill.getByTestId('regressed')).toHaveCount(0);
  // The second failing run counts: regressed, failing since the first.
  await page.getByRole('button', { name: 'Run checks now' }).click();
  await openItem(page, 'spill');
  await expect(spill.getByTestId('regressed')).toBeVisible();
  await expect(spill.getByTestId('failing-since')).toContainText('(2 runs)');
  await spill.screenshot({ path: '../docs/screenshots/flapping.png' });
  await expect(spill.locator('.check-reason')).toContainText('is false, expected true');
  await spill.getByText('Evidence', { exact: true }).click();
  await expect(spill.locator('.evidence pre')).toContainText("SHOW SESSION LIKE 'spill_enabled'");
  await expect(spill.locator('.evidence pre')).toContainText('spill_enabled | false | false');
  await expect(page.locator('.regressed-banner')).toContainText('1 signed-off item fails');
  await expect(item(page, 'stay-close-to-upstream').locator('.check-badge')).toHaveText('check: fail');
  // The one-day certificate and the open door are named, with their data.
  const tls = item(page, 'certificate-lifetime');
  await expect(tls.locator('.check-badge')).toHaveText('check: fail');
  await expect(tls.locator('.check-reason')).toContainText('issued for 1 days');
  await expect(item(page, 'authentication').locator('.check-reason')).toContainText('accepted a statement without credentials');
  await expect(item(page, 'jvm').locator('.check-reason')).toContainText('mixed JVMs');

  await page.goto('/');
  await expect(page.locator('tr[data-cluster="legacy-prod"]')).toContainText('1 regressed');
});

test('filter the checklist: counts per filter, in place with JavaScript and as a GET form without', async ({ page, browser }) => {
  await logIn(page);
  await page.getByRole('link', { name: 'legacy-prod' }).click();
  await hydrated(page);
  await page.evaluate(() => ((window as any).__noReload = true));
  const bar = page.getByTestId('filter-bar');
  const count = async (f: string) => Number(await bar.locator(`[data-filter="${f}"] .count`).innerText());
  const all = await count('all');
  expect(all).toBe(await page.locator('article.item').count());
  const failing = await count('failing');
  // spill regressed; the upstream release, certificate, authentication and JVM checks fail
  expect(failing).toBeGreaterThanOrEqual(5);

  await bar.getByRole('button', { name: /Failing or erroring/ }).click();
  await expect(page).toHaveURL(/\?filter=failing$/);
  await expect(bar.locator('[data-filter="failing"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('article.item:visible')).toHaveCount(failing);
  await expect(item(page, 'spill')).toBeVisible();
  await expect(item(page, 'authorization')).toBeHidden(); // its check passes
  await expect(page.getByTestId('filter-status')).toHaveText(`Failing or erroring: ${failing} items shown.`);
  // An item opens in place, with its evidence and forms, and the filter stays.
  await openItem(page, 'certificate-lifetime');
  await expect(item(page, 'certificate-lifetime').locator('.check-reason')).toBeVisible();
  await expect(item(page, 'certificate-lifetime').getByRole('button', { name: 'Record' })).toBeVisible();
  await page.screenshot({ path: '../docs/screenshots/cluster-filtered.png', fullPage: true });

  const open = await count('open');
  await bar.getByRole('button', { name: /^Open/ }).click();
  await expect(page.locator('article.item:visible')).toHaveCount(open);
  await expect(item(page, 'spill')).toBeHidden(); // signed off, so not open (it is regressed)
  await bar.getByRole('button', { name: /^Waived/ }).click();
  await expect(page.getByTestId('filter-status')).toHaveText('No items are waived.');
  await expect(page.locator('article.item:visible')).toHaveCount(0);
  await bar.getByRole('button', { name: /^All/ }).click();
  await expect(page.locator('article.item:visible')).toHaveCount(all);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // Without JavaScript: the bar is a GET form the server renders, and items still open.
  const origin = new URL(page.url()).origin;
  const clusterPath = new URL(page.url()).pathname;
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: origin, storageState: await page.context().storageState() });
  const plain = await ctx.newPage();
  await plain.goto(clusterPath);
  await plain.getByTestId('filter-bar').getByRole('button', { name: /Failing or erroring/ }).click();
  await expect(plain).toHaveURL(/\?filter=failing$/);
  await expect(plain.locator('article.item:visible')).toHaveCount(failing);
  await plain.locator('article[data-item="spill"] summary.item-head').click();
  await expect(plain.locator('article[data-item="spill"]').getByTestId('regressed')).toBeVisible();
  await plain.goto(`${clusterPath}?item=jvm`);
  await expect(plain.locator('article[data-item="jvm"] details.item-row')).toHaveAttribute('open', '');
  await ctx.close();
});

test('edit a cluster: the change is history, and a new target resets its live verdicts', async ({ page }) => {
  const simPort = Number(process.env.E2E_SIM_PORT ?? 3918);
  await logIn(page);
  await page.getByRole('link', { name: 'legacy-prod' }).click();
  await hydrated(page);
  await page.getByRole('link', { name: 'Edit' }).click();
  await hydrated(page);
  // The same simulator by another name its certificate also covers.
  await page.getByLabel('Coordinator URL').fill(`https://localhost:${simPort}`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('legacy-prod');
  await expect(page.getByTestId('checks-reset')).toContainText('coordinator_url changed');
  await expect(item(page, 'spill').locator('[data-check]')).toHaveText('Live check: not run yet.');
  const changes = page.getByTestId('cluster-changes').locator('tbody tr');
  await expect(changes).toHaveCount(2);
  await expect(changes.nth(0)).toContainText(`coordinator_url: https://127.0.0.1:${simPort} → https://localhost:${simPort}`);
  await expect(changes.nth(0)).toContainText('cluster changed');
  await expect(changes.nth(0)).toContainText(admin.name);
  await expect(changes.nth(1)).toContainText('cluster registered');
  await page.getByTestId('cluster-changes').screenshot({ path: '../docs/screenshots/changes.png' });
});

test('create an API token: shown once, listed with its last use, revoked', async ({ page, request }) => {
  await logIn(page);
  await page.getByRole('link', { name: 'Tokens' }).click();
  await hydrated(page);
  await page.getByLabel('Name').fill('ci-gate');
  await page.getByLabel('Read-only').check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByTestId('new-token');
  await expect(shown).toContainText('will not be shown again');
  const token = (await shown.locator('code').innerText()).trim();
  expect(token).toMatch(/^shp_[0-9a-f]{64}$/);
  const row = page.locator('tr[data-token="ci-gate"]');
  await expect(row).toContainText('read-only');
  await expect(row).toContainText('never');
  // Automation uses it without a session; the page shows the use.
  const fleet = await request.get('/api/v1/fleet', { headers: { authorization: `Bearer ${token}` } });
  expect(fleet.status()).toBe(200);
  await page.reload();
  await hydrated(page);
  await expect(row).not.toContainText('never');
  await page.screenshot({ path: '../docs/screenshots/tokens.png' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  const refused = await request.get('/api/v1/fleet', { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
});

test('complete an overdue weekly task with a screenshot, see it move to upcoming, download the file back', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: cluster }).click();
  await page.getByRole('link', { name: 'Day-2 tasks' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Day-2 tasks');
  const task = page.locator('li.task[data-task="weekly-failed-queries"]');
  await expect(task.getByTestId('last-done')).toHaveText('Never done on this cluster.');

  // Recorded after the fact: it was last done three weeks ago, so it is overdue.
  const weeksAgo = new Date(Date.now() - 21 * 86400_000).toISOString().slice(0, 10);
  await task.getByText('Record completion').click();
  await task.getByLabel('Done on (if not today)').fill(weeksAgo);
  await task.getByRole('button', { name: 'Record' }).click();
  await expect(page.getByRole('status')).toContainText('Recorded: Top failed queries');
  await expect(task.getByTestId('task-state')).toHaveText('Overdue');
  await expect(page.locator('li.task').first()).toHaveAttribute('data-task', 'weekly-failed-queries');

  // Done today, with the Grafana screenshot as evidence.
  await task.getByText('Record completion').click();
  await task.getByLabel('Outcome').selectOption('issues_found');
  await task.getByLabel('Note').fill('3 queries failed on memory; tickets filed');
  await task.getByLabel('Evidence files').setInputFiles(path.resolve(process.cwd(), 'fixtures/grafana-failed-queries.png'));
  await task.getByRole('button', { name: 'Record' }).click();
  await expect(task.getByTestId('task-state')).toHaveText('Upcoming');
  const next = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
  await expect(task.getByTestId('task-due')).toHaveText(`due ${next} (in 7 days)`);
  await expect(task.getByTestId('last-done')).toContainText('by ada · Issues found');

  const download = page.waitForEvent('download');
  await task.getByRole('link', { name: 'grafana-failed-queries.png' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('grafana-failed-queries.png');
  const fs = await import('fs');
  const got = fs.readFileSync(await file.path());
  expect(got.equals(fs.readFileSync(path.resolve(process.cwd(), 'fixtures/grafana-failed-queries.png')))).toBe(true);

  // Across clusters, the same task is listed with its cluster.
  await page.getByRole('link', { name: 'Day-2', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Day-2 across clusters');
  await expect(page.locator('li.task[data-task="weekly-failed-queries"]').first()).toBeVisible();
});

test('an SRE asks for a waiver; a manager approves it and sees the score change', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: cluster }).click();
  await hydrated(page);
  const card = item(page, 'centralized-logs');
  await openItem(page, 'centralized-logs');
  await card.getByText('Ask for a waiver').click();
  await card.getByLabel('Reason').fill('Logs stay on the nodes until the new log pipeline ships');
  const until = new Date(Date.now() + 45 * 86400_000).toISOString().slice(0, 10);
  await card.getByLabel('Expires on (last day it counts)').fill(until);
  await card.getByRole('button', { name: 'Ask for waiver' }).click();
  await expect(card.getByTestId('waiver')).toContainText('Waiting for approval');

  const r = await page.request.post('/api/v1/users', { data: { username: 'maya', role: 'manager', password: 'manager-pass-1' }, headers: sameOrigin(page) });
  expect(r.status()).toBe(201);
  await page.getByRole('button', { name: 'Log out' }).click();
  // The logout must land before the next navigation, which would cancel it.
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('User name').fill('maya');
  await page.getByLabel('Password').fill('manager-pass-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();

  const row = page.locator(`tr[data-cluster="${cluster}"]`);
  const before = await row.locator('.readiness-col .progress-text').innerText();
  await expect(row.locator('[data-count="waived"]')).toContainText('0');
  await expect(row.locator('[data-count="waived"]')).toContainText('1 pending');
  await expect(page.getByTestId('trend').locator('svg polyline')).toHaveCount(1);

  await page.getByRole('link', { name: 'Waivers', exact: true }).click();
  await hydrated(page);
  const w = page.locator('tr[data-item="centralized-logs"]');
  await expect(w).toHaveAttribute('data-state', 'pending');
  await w.getByPlaceholder('Note (required to reject)').fill('Fine until the pipeline ships');
  await w.getByRole('button', { name: 'Approve' }).click();
  await expect(w).toHaveAttribute('data-state', 'approved');
  await expect(w).toContainText('Approved by maya');

  await page.getByRole('link', { name: 'Fleet', exact: true }).click();
  await expect(row.locator('[data-count="waived"]')).toHaveText('1');
  const after = await row.locator('.readiness-col .progress-text').innerText();
  expect(after).not.toBe(before);
  // one item fewer is applicable: "n/m · p%" → the denominator drops by one
  const denominator = (t: string) => Number(t.split('·')[0].split('/')[1]);
  expect(denominator(after)).toBe(denominator(before) - 1);
  await page.screenshot({ path: '../docs/screenshots/fleet.png', fullPage: true });

  // The printable report shows the waiver; managers cannot sign.
  await page.goto('/clusters/1/report');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Readiness report: ${cluster}`);
  await expect(page.getByTestId('report').locator('tr[data-item="centralized-logs"]')).toHaveAttribute('data-standing', 'waived');
  const refused = await page.request.post('/api/v1/clusters/1/items/spill/signoffs', { data: { status: 'done' }, headers: sameOrigin(page) });
  expect(refused.status()).toBe(403);
  await page.getByRole('button', { name: 'Log out' }).click();
});

test('an auditor downloads the sign-off history as CSV, and cannot sign', async ({ page }) => {
  await logIn(page);
  const r = await page.request.post('/api/v1/users', { data: { username: 'audrey', role: 'auditor', password: 'auditor-pass-1' }, headers: sameOrigin(page) });
  expect(r.status()).toBe(201);
  await page.getByRole('button', { name: 'Log out' }).click();
  // The logout must land before the next navigation, which would cancel it.
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('User name').fill('audrey');
  await page.getByLabel('Password').fill('auditor-pass-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('current-user')).toHaveText('audrey');

  await page.getByRole('link', { name: 'Export' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Export sign-off history');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('shipshape-signoffs.csv');
  const fs = await import('fs');
  const text = fs.readFileSync(await file.path(), 'utf8');
  const lines = text.trim().split('\r\n');
  expect(lines[0]).toBe('seq,at,actor,cluster_id,item_id,action,note,details,prev_hash,hash,cluster_name');
  expect(lines.length).toBeGreaterThan(5);
  expect(text).toContain('spill on /nvme/trino-spill');

  const bundle = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Evidence bundle (ZIP)' }).click();
  const zip = await bundle;
  expect(zip.suggestedFilename()).toMatch(/\.zip$/);
  const bytes = fs.readFileSync(await zip.path());
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  // the Day-2 screenshot attached earlier travels inside the bundle
  expect(bytes.includes(Buffer.from('grafana-failed-queries.png'))).toBe(true);

  // The checklist offers an auditor nothing to record, and the server refuses anyway.
  await page.goto('/');
  await page.getByRole('link', { name: cluster }).click();
  await expect(item(page, 'spill').getByRole('button', { name: 'Record' })).toHaveCount(0);
  const refused = await page.request.post('/api/v1/clusters/1/items/spill/signoffs', { data: { status: 'done' }, headers: sameOrigin(page) });
  expect(refused.status()).toBe(403);
});

test('an admin disables an account and enables it again; each change is in the ledger', async ({ page }) => {
  await logIn(page);
  await page.getByRole('link', { name: 'Users' }).click();
  await hydrated(page);
  const row = page.locator('tr[data-user="audrey"]');
  await expect(row).toContainText('active');
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row).toContainText('disabled');
  await row.getByRole('button', { name: 'Enable' }).click();
  await expect(row).toContainText('active');
  // The export (a download) carries both rows, by the admin.
  const rows = await (await page.request.get('/api/v1/export/signoffs.jsonl?item=_account')).text();
  expect(rows).toContain('"note":"disabled audrey"');
  expect(rows).toContain('"note":"enabled audrey"');
  // No webhook is configured here: the test button says what to set.
  const notifications = page.getByTestId('notifications');
  await notifications.getByRole('button', { name: 'Send a test notification' }).click();
  await expect(notifications.getByText('configure notify_url and notify_secret')).toBeVisible();
});
