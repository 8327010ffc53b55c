import { test, expect } from '@playwright/test';

// The release build's files: hashed names (cached for a year), served
// precompressed; the pages themselves compressed on the fly.
test('built files have hashed names, come compressed and are cached for a year', async ({ page }) => {
  const seen: Record<string, { encoding?: string; cache?: string }> = {};
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/pkg/')) {
      const h = r.headers();
      seen[path] = { encoding: h['content-encoding'], cache: h['cache-control'] };
    }
  });
  await page.goto('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  for (const ext of ['js', 'wasm', 'css']) {
    const file = Object.keys(seen).find((p) => p.endsWith(`.${ext}`));
    expect(file, `a .${ext} file was loaded`).toBeTruthy();
    expect(file).toMatch(new RegExp(`^/pkg/shipshape\\.[A-Za-z0-9_-]{8,}\\.${ext}$`));
    // Chromium asks for brotli over HTTPS only; over http it takes gzip.
    expect(['br', 'gzip']).toContain(seen[file!].encoding);
    expect(seen[file!].cache).toBe('public, max-age=31536000, immutable');
  }
  const html = await page.request.get('/login', { headers: { 'accept-encoding': 'br' } });
  expect(html.headers()['content-encoding']).toBe('br');
});
