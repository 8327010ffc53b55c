//! A local OpenID provider for the single sign-on tests: the certified
//! `oidc-provider` package from npm, run by `tests/oidc/provider.mjs`
//! (installed by `scripts/test.sh`). Killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Its people: `<name>-pass` is each one's password.
pub const ADMIN: &str = "olivia"; // trino-admins
pub const MANAGER: &str = "max"; // trino-managers
pub const SRE: &str = "sid"; // trino-sres
pub const INTERN: &str = "ivan"; // interns: no role
pub const CLIENT_ID: &str = "shipshape";
pub const CLIENT_SECRET: &str = "shipshape-secret";

pub struct Provider {
    pub issuer: String,
    child: Child,
}

impl Provider {
    /// Starts the provider with one client whose redirect address is
    /// `redirect_uri`; waits for its ready line.
    pub fn start(redirect_uri: &str) -> Provider {
        Self::start_env(redirect_uri, &[])
    }

    /// [`Provider::start`] with extra environment (e.g. `OIDC_USERNAMES`).
    pub fn start_env(redirect_uri: &str, env: &[(&str, &str)]) -> Provider {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/oidc");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "tests/oidc/node_modules is missing: run scripts/test.sh (or npm ci in tests/oidc)"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("OIDC_PORT", "0")
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URIS", redirect_uri)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node tests/oidc/provider.mjs");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the provider's ready line");
        let issuer = line
            .trim()
            .strip_prefix("OIDC_READY ")
            .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
            .to_string();
        Provider { issuer, child }
    }

    /// The `[oidc]` config section for this provider, sending people back
    /// to `public_url`.
    pub fn config_toml(&self, public_url: &str) -> String {
        format!(
            "[oidc]\nissuer_url = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
             public_url = \"{public_url}\"\ndisplay_name = \"Example SSO\"\n\
             [oidc.roles]\nadmin = \"trino-admins\"\nmanager = \"trino-managers\"\nsre = [\"trino-sres\"]\n",
            self.issuer
        )
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
