import { defineConfig } from '@playwright/test';

// The real release build, on its own port with a fresh data directory.
const port = Number(process.env.E2E_PORT ?? 3917);
export const simPort = Number(process.env.E2E_SIM_PORT ?? 3918);

export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `rm -rf ../target/e2e-data && ../target/release/shipshape --data-dir ../target/e2e-data serve --bind 127.0.0.1:${port}`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      // CA files are trusted only from ca_dir: the simulator's test CA is
      // written into target/.
      env: { SHIPSHAPE_SITE_ROOT: '../target/site', SHIPSHAPE_CA_DIR: '../target', RUST_LOG: 'warn' },
    },
    {
      // A misconfigured Trino cluster, simulated over HTTPS with a test CA
      // written where the test registers it from (built by `cargo test`).
      command: `../target/debug/trino-sim --scenario ../sim/scenarios/misconfigured.toml --bind 127.0.0.1:${simPort} --ca-out ../target/e2e-sim-ca.pem`,
      url: `https://127.0.0.1:${simPort}/v1/info`,
      ignoreHTTPSErrors: true,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
