import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test, expect, Page, Locator } from '@playwright/test';
import { admin, hydrated, sameOrigin, item, openItem } from './pages';

// The pages an SRE lives in, as issue 22 found them: Day-2 state where
// people look, one state per item, uploads that fail kindly, layouts that
// fit, the keyboard, and forms that return to where the person was. Runs
// after checklist.spec.ts, with the clusters and sign-offs it left
// (cluster 1 "analytics-prod": spill revoked, centralized-logs waived, the
// weekly failed-queries task done today).
test.describe.configure({ mode: 'serial' });

async function logIn(page: Page) {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('User name').fill(admin.name);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Fleet readiness' })).toBeVisible();
}

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);

test('a Day-2 completion shows as its schedule on the checklist and the report; counts match the score', async ({ page }) => {
  await logIn(page);
  await page.goto('/clusters/1');
  await hydrated(page);
  const task = item(page, 'weekly-failed-queries');
  await expect(task.locator('.item-head [data-status]')).toHaveText(`Done until ${inDays(7)}`);
  await expect(task.locator('.item-last')).toHaveText(`last done by ${admin.name} · ${today()}`);
  await openItem(page, 'weekly-failed-queries');
  await expect(task.getByTestId('task-line')).toContainText('not scored');
  await expect(task.getByRole('link', { name: /Day-2 page/ })).toBeVisible();
  // Day-2 tasks are not scored: their section says what is due, not "0/9".
  await expect(page.getByTestId('day2-summary').first()).toHaveText(/^Day-2: /);
  // "Open" counts the items the score is still missing, not the Day-2 tasks.
  const bar = page.getByTestId('filter-bar');
  const open = Number(await bar.locator('[data-filter="open"] .count').innerText());
  const [done, applicable] = (await page.locator('.overall .progress-text').innerText())
    .split('·')[0].replace('Readiness', '').trim().split('/').map(Number);
  // Outstanding = applicable - done = open + regressed + expired (none here are regressed or expired).
  expect(open).toBe(applicable - done);
  // A revoked sign-off says so; a waived item shows one state.
  await expect(item(page, 'spill').locator('.item-last')).toContainText(`revoked by ${admin.name}`);
  await expect(item(page, 'centralized-logs').locator('.item-head [data-status]')).toHaveText('Waived');
  await expect(item(page, 'centralized-logs').locator('.item-head .badge[class*="state-"]')).toHaveCount(1);

  await page.goto('/clusters/1/report');
  const row = page.getByTestId('report').locator('tr[data-item="weekly-failed-queries"]');
  await expect(row.getByTestId('report-state')).toHaveText(`Done until ${inDays(7)}`);
  await expect(row).toContainText(`Last done by ${admin.name}`);
  await expect(page.getByTestId('report').locator('tr[data-item="spill"]')).toContainText(`Revoked by ${admin.name}`);
  await expect(page.getByTestId('report').locator('tr[data-item="spill"]')).not.toContainText('Signed off');
});

test('a 30 MB upload is refused before it is sent, and a refused upload comes back to its item', async ({ page }) => {
  await logIn(page);
  await page.goto('/clusters/1?item=backups');
  await hydrated(page);
  const card = item(page, 'backups');
  await card.getByText('Sign off with evidence files').click();
  const form = card.locator('details.evidence-signoff form');
  await expect(form.getByTestId('upload-limit')).toHaveText('Up to 10 files, 25 MiB each.');
  await form.getByLabel('What the files show').fill('pg_dump of the metastore, restored on staging');
  const big = path.join(os.tmpdir(), 'shipshape-e2e-30mb.bin');
  fs.writeFileSync(big, Buffer.alloc(30 * 1000 * 1000, 7));
  await form.getByLabel('Evidence files').setInputFiles(big);
  await expect(form.getByTestId('upload-refusal')).toHaveText('shipshape-e2e-30mb.bin is 28.6 MiB: each file may be at most 25 MiB.');
  const before = page.url();
  await form.getByRole('button', { name: 'Sign off with files' }).click();
  // The browser does not send it: same page, the note still there.
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  await expect(form.getByLabel('What the files show')).toHaveValue('pg_dump of the metastore, restored on staging');

  // A client that sends it anyway gets the refusal back on the item.
  const r = await page.request.post('/clusters/1/items/backups/signoff', {
    headers: sameOrigin(page),
    multipart: { status: 'done', note: 'x', files: { name: 'big.bin', mimeType: 'application/octet-stream', buffer: fs.readFileSync(big) } },
    maxRedirects: 0,
  });
  expect(r.status()).toBe(303);
  const back = r.headers()['location'];
  expect(back).toContain('/clusters/1?item=backups&error=');
  await page.goto(back);
  await hydrated(page);
  await expect(page.getByRole('alert').first()).toContainText('Backups');
  await expect(card.locator('details.item-row')).toHaveAttribute('open', '');
  await expect(card.locator('details.evidence-signoff')).toHaveAttribute('open', '');
  await expect(card.locator('details.evidence-signoff [role="alert"]')).toContainText('25 MiB');
  await expect(card.locator('summary.item-head')).toBeInViewport();
  fs.rmSync(big);
});

test('after an evidence upload the page returns to the item, named by title; Back shows the current state', async ({ page }) => {
  await logIn(page);
  await page.goto('/clusters/1');
  await hydrated(page);
  await openItem(page, 'backups');
  const card = item(page, 'backups');
  await expect(card.locator('.item-head [data-status]')).toHaveText('Open');
  await card.getByText('Sign off with evidence files').click();
  const form = card.locator('details.evidence-signoff form');
  await form.getByLabel('What the files show').fill('restore drill log');
  await form.getByLabel('Evidence files').setInputFiles(path.resolve(process.cwd(), 'fixtures/grafana-failed-queries.png'));
  await form.getByRole('button', { name: 'Sign off with files' }).click();
  await expect(page).toHaveURL(/signed=backups/);
  await hydrated(page);
  await expect(page.getByTestId('signed-notice')).toHaveText('Signed off with evidence: Backups');
  await expect(card.locator('details.item-row')).toHaveAttribute('open', '');
  await expect(card.locator('summary.item-head')).toBeInViewport();
  await expect(card.locator('.item-head [data-status]')).toHaveText('Done');
  // Back: the page is asked for again (no-store), so it shows "Done" and an empty form.
  await page.goBack();
  await hydrated(page);
  await expect(item(page, 'backups').locator('.item-head [data-status]')).toHaveText('Done');
});

test('the fleet table fits its box at 1280 and 1920 px, and is cards on a phone', async ({ page }) => {
  await logIn(page);
  for (const width of [1280, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/');
    await hydrated(page);
    const fit = await page.evaluate(() => {
      const table = document.querySelector('table.fleet') as HTMLElement;
      const box = table.parentElement as HTMLElement;
      return { table: table.scrollWidth, box: box.clientWidth, page: document.documentElement.scrollWidth, view: window.innerWidth };
    });
    expect(fit.table, `table at ${width} px`).toBeLessThanOrEqual(fit.box);
    expect(fit.page, `page at ${width} px`).toBeLessThanOrEqual(fit.view);
    if (width === 1280) await page.screenshot({ path: '../docs/screenshots/fleet-1280.png' });
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await hydrated(page);
  const card = page.locator('tr[data-cluster="analytics-prod"]');
  await expect(card.locator('.worst-cell')).toBeVisible();
  await expect(card.locator('[data-count="open"]')).toBeVisible();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide).toBeLessThanOrEqual(390);
  const box = await card.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await page.screenshot({ path: '../docs/screenshots/fleet-phone.png', fullPage: true });
});

test('the Waivers page keeps Approve on screen at 390 px, with a long reason', async ({ page }) => {
  await logIn(page);
  const r = await page.request.post('/api/v1/clusters/2/items/audit/waivers', {
    headers: sameOrigin(page),
    data: { kind: 'accepted_risk', reason: 'x'.repeat(3990), expires_on: inDays(30) },
  });
  expect(r.status()).toBe(201);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/waivers');
  await hydrated(page);
  const row = page.locator('tr[data-item="audit"][data-state="pending"]');
  const approve = row.getByRole('button', { name: 'Approve' });
  await approve.scrollIntoViewIfNeeded();
  const box = await approve.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('keyboard: skip links reach the checklist, focus stays on a recorded item, ?item= scrolls to it', async ({ page }) => {
  await logIn(page);
  await page.goto('/clusters/1');
  await hydrated(page);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to the checklist' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const first = page.locator('#checklist summary.item-head').first();
  await expect(first).toBeFocused();

  // Record with the keyboard: focus stays on the item, and the result is announced.
  await openItem(page, 'audit');
  const card = item(page, 'audit');
  await card.locator('form.signoff').getByLabel('Done', { exact: true }).check();
  await card.getByLabel('Note').fill('audit log shipped to the SIEM');
  await card.getByRole('button', { name: 'Record' }).focus();
  await page.keyboard.press('Enter');
  await expect(card.locator('.item-head [data-status]')).toHaveText('Done');
  await expect(page.getByTestId('announce')).toHaveText('Recorded for Audit.');
  await expect(card.locator('summary.item-head')).toBeFocused();
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(false);

  // A link to an item opens it and brings it into view.
  await page.goto('/clusters/1?item=quarterly-upgrade-rollback-drill');
  await hydrated(page);
  const far = item(page, 'quarterly-upgrade-rollback-drill');
  await expect(far.locator('details.item-row')).toHaveAttribute('open', '');
  await expect(far.locator('summary.item-head')).toBeInViewport();
});

test('a cluster nobody can reach says so once, and its errors are under "failing"', async ({ page }) => {
  await logIn(page);
  const r = await page.request.post('/api/v1/clusters', {
    headers: sameOrigin(page),
    data: { name: 'gone-prod', environment: 'prod', coordinator_url: 'https://127.0.0.1:9', notes: '' },
  });
  expect(r.status()).toBe(201);
  const id = (await r.json()).id;
  await page.goto(`/clusters/${id}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Run checks now' }).click();
  await expect(page.getByTestId('unreachable')).toContainText('Cannot reach this cluster');
  const bar = page.getByTestId('filter-bar');
  const failing = Number(await bar.locator('[data-filter="failing"] .count').innerText());
  const errors = await page.locator('article.item .check-badge', { hasText: 'error' }).count();
  expect(errors).toBeGreaterThan(0);
  expect(failing).toBeGreaterThanOrEqual(errors);
  await page.getByTestId('unreachable').screenshot({ path: '../docs/screenshots/unreachable.png' });
});

test('the configuration panel: what a push would verify, then the push, its verdicts and the change', async ({ page }) => {
  await logIn(page);
  const r = await page.request.post('/api/v1/clusters', {
    headers: sameOrigin(page),
    data: { name: 'config-prod', environment: 'prod', coordinator_url: 'https://127.0.0.1:9', notes: '' },
  });
  expect(r.status()).toBe(201);
  const id = (await r.json()).id;
  await page.goto(`/clusters/${id}`);
  await hydrated(page);
  const panel = page.getByTestId('config-panel');
  await expect(panel.getByTestId('config-not-pushed')).toContainText('S3/HDFS connections');
  await expect(panel.getByTestId('config-snippet')).toContainText('--cluster config-prod');
  const push = (hive: string) => page.request.post(`/api/v1/clusters/${id}/config`, {
    headers: sameOrigin(page),
    data: {
      source: 'git:e2e',
      files: [
        { name: 'etc/config.properties', text: 'coordinator=true\nnode-scheduler.include-coordinator=false\nhttp-server.https.keystore.key=e2e-secret-value\n' },
        { name: 'etc/catalog/hive.properties', text: hive },
      ],
    },
  });
  expect((await push('connector.name=hive\nhive.s3.max-connections=500\n')).status()).toBe(201);
  expect((await push('connector.name=hive\nfs.s3.enabled=true\ns3.max-connections=500\n')).status()).toBe(201);
  await page.reload();
  await hydrated(page);
  await expect(panel.getByTestId('config-pushed')).toContainText('from git:e2e');
  await expect(panel.getByTestId('config-diff')).toContainText('hive.s3.max-connections');
  await expect(panel).not.toContainText('e2e-secret-value');
  await expect(page.getByTestId('preflight-panel')).toContainText('to Trino 483');
  // The item no live check decides carries the configuration's verdict.
  await expect(item(page, 's3-connections').locator('.check-badge')).toHaveText('check: fail');
  await panel.screenshot({ path: '../docs/screenshots/config-panel.png' });
});

test('users: the form empties after "User added.", and the admin cannot disable themselves', async ({ page }) => {
  await logIn(page);
  await page.goto('/users');
  await hydrated(page);
  await expect(page.locator(`tr[data-user="${admin.name}"]`).getByRole('button', { name: 'Disable' })).toHaveCount(0);
  await expect(page.locator('tr[data-user="maya"]').getByRole('button', { name: 'Disable' })).toBeVisible();
  await page.getByLabel('User name').fill('newbie');
  await page.getByLabel('Initial password (at least 10 characters)').fill('newbie-pass-1');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText('User added.')).toBeVisible();
  await expect(page.locator('tr[data-user="newbie"]')).toBeVisible();
  await expect(page.getByLabel('User name')).toHaveValue('');
  await expect(page.getByLabel('Initial password (at least 10 characters)')).toHaveValue('');
});

test('login returns to the page that asked for it', async ({ browser, baseURL }) => {
  const ctx = await browser.newContext({ baseURL });
  const page = await ctx.newPage();
  await page.goto('/clusters/1/report');
  await expect(page).toHaveURL(/\/login\?next=\/clusters\/1\/report$/);
  await hydrated(page);
  await page.getByLabel('User name').fill(admin.name);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/clusters\/1\/report$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Readiness report');
  await ctx.close();
});

test('export: the item is a list, and an end before the start is caught on the page', async ({ page }) => {
  await logIn(page);
  await page.goto('/export');
  await hydrated(page);
  const items = page.getByRole('combobox', { name: 'Item', exact: true });
  await expect(items).toHaveJSProperty('tagName', 'SELECT');
  await expect(items.locator('option[value="spill"]')).toHaveText('Enable spill');
  await page.getByLabel('From', { exact: true }).fill(inDays(1));
  await page.getByLabel('To', { exact: true }).fill(today());
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.getByRole('button', { name: 'Download CSV' }).click();
  await expect(page.getByTestId('dates-wrong')).toBeVisible();
  await expect(page).toHaveURL(/\/export$/);
  expect(downloads).toBe(0);
});
