import * as fs from 'fs';
import { defineConfig } from '@playwright/test';

// The real release build, on its own port with a fresh data directory.
const port = Number(process.env.E2E_PORT ?? 3917);
export const simPort = Number(process.env.E2E_SIM_PORT ?? 3918);
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3919);
const ldapPort = Number(process.env.E2E_LDAP_PORT ?? 3920);

// Logins through the test directory and the test OpenID provider below.
fs.mkdirSync('../target', { recursive: true });
fs.writeFileSync(
  '../target/e2e-shipshape.toml',
  `[ldap]
url = "ldap://127.0.0.1:${ldapPort}"
starttls = true
ca_file = "../target/e2e-ldap-ca.pem"
base_dn = "dc=example,dc=com"
bind_dn = "cn=shipshape,ou=services,dc=example,dc=com"
bind_password = "svc-secret"
user_base_dn = "ou=people,dc=example,dc=com"

[ldap.roles]
admin = "cn=trino-admins,ou=groups,dc=example,dc=com"
manager = "cn=trino-managers,ou=groups,dc=example,dc=com"
sre = "cn=trino-sres,ou=groups,dc=example,dc=com"

[oidc]
issuer_url = "http://127.0.0.1:${oidcPort}"
client_id = "shipshape"
client_secret = "shipshape-secret"
public_url = "http://127.0.0.1:${port}"
display_name = "Example SSO"

[oidc.roles]
admin = "trino-admins"
manager = "trino-managers"
sre = "trino-sres"
`,
);

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
  // Started in this order: the directory's CA file must exist before the
  // server reads its config.
  webServer: [
    {
      // A throwaway LDAP directory (Debian's slapd, StartTLS).
      command: 'bash fixtures/slapd.sh',
      port: ldapPort,
      env: { E2E_LDAP_PORT: String(ldapPort) },
      reuseExistingServer: false,
      timeout: 120_000,
    },
    {
      // A local OpenID provider (the certified oidc-provider package).
      command: 'node ../tests/oidc/provider.mjs',
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      env: {
        OIDC_PORT: String(oidcPort),
        OIDC_REDIRECT_URIS: `http://127.0.0.1:${port}/auth/oidc/callback`,
      },
      reuseExistingServer: false,
      timeout: 120_000,
    },
    {
      command: `rm -rf ../target/e2e-data && ../target/release/shipshape --data-dir ../target/e2e-data --config ../target/e2e-shipshape.toml serve --bind 127.0.0.1:${port}`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
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
      timeout: 120_000,
    },
  ],
});
