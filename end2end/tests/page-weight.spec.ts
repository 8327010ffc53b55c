import { test, expect } from '@playwright/test';

// The release build's files: hashed names (cached for a year), served
// precompressed; the pages themselves compressed on the fly. Every route is
// lazy (`cargo leptos build --split`), so a page brings its own code as extra
// wasm chunks beside the main module.
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
  const files = Object.keys(seen);
  for (const ext of ['js', 'wasm', 'css']) {
    const main = new RegExp(`^/pkg/shipshape\\.[A-Za-z0-9_-]{8,}\\.${ext}$`);
    expect(files.some((p) => main.test(p)), `the main .${ext} file was loaded: ${files}`).toBeTruthy();
  }
  for (const file of files) {
    expect(file).toMatch(/^\/pkg\/[A-Za-z0-9_.-]+\.[A-Za-z0-9_-]{8,}\.(js|wasm|css)$/);
    // Chromium asks for brotli over HTTPS only; over http it takes gzip.
    expect(['br', 'gzip'], file).toContain(seen[file].encoding);
    expect(seen[file].cache, file).toBe('public, max-age=31536000, immutable');
  }
  // The login page's code came as a chunk of its own, not in the main module.
  expect(files.filter((f) => f.endsWith('.wasm')).length, `${files}`).toBeGreaterThan(1);
  const html = await page.request.get('/login', { headers: { 'accept-encoding': 'br' } });
  expect(html.headers()['content-encoding']).toBe('br');
});
