//! Setting up the connection to one cluster for its checks, under the rules
//! that keep a cluster's settings from sending secrets or reading files
//! where nobody approved:
//!
//! - a secret is used only when the server's config binds it
//!   (`[secrets.TRINO_SECRET_…] hosts = [...]`) and the coordinator URL is
//!   among its hosts; `insecure_tls` with a secret only when the binding
//!   allows it;
//! - a CA file must be a regular file under the admin-set `ca_dir`, at most
//!   [`CA_FILE_MAX`] bytes, read under the check's timeout; the error never
//!   tells whether a path outside `ca_dir` exists.
//!
//! - with the admin's `cluster_hosts` set, a coordinator must live where it
//!   allows (see `shipshape_domain::cluster_hosts`): its name is resolved
//!   once, checked, and the run connects to exactly those addresses
//!   ([`crate::trino::HostGuard`]).
//!
//! The same rules answer a cluster form (field errors) and a check run (an
//! `error` verdict naming the rule); nothing is sent when they refuse.

use crate::config::Config;
use crate::trino::{Auth, ClientKey, Target};
use crate::AppState;
use secrecy::SecretString;
use shipshape_domain::connection::{Auth as ConnAuth, Connection};
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::reach::secret_allowed;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest CA file read.
pub const CA_FILE_MAX: u64 = 1024 * 1024;

/// What [`connect`] makes for one cluster's run.
pub(crate) struct Clients {
    pub client: reqwest::Client,
    pub verifier: reqwest::Client,
    pub inspector: reqwest::Client,
    pub target: Target,
}

/// Why a secret may not be used for this coordinator, if it may not.
pub fn secret_refusal(config: &Config, url: &url::Url, conn: &Connection) -> Option<String> {
    let name = conn.auth.secret_env()?;
    let Some(binding) = config.secrets.get(name) else {
        return Some(format!(
            "the secret {name} has no binding in the server's config ([secrets.{name}] hosts = [...]): it is not used"
        ));
    };
    if !secret_allowed(&binding.hosts, url) {
        return Some(format!(
            "the secret {name} is bound to {} in the server's config, not to {}: it is not sent there",
            binding.hosts.join(", "),
            url.host_str().unwrap_or("this host")
        ));
    }
    if conn.insecure_tls && !binding.allow_insecure_tls {
        return Some(format!(
            "skipping certificate verification with the secret {name} needs allow_insecure_tls = true in its binding"
        ));
    }
    None
}

/// The CA file's path under `ca_dir`, or why it cannot be used. The same
/// sentence for a path outside `ca_dir` whether or not it exists.
pub fn ca_path(config: &Config, path: &str) -> Result<PathBuf, String> {
    let dir = config.ca_dir();
    let outside = || {
        format!(
            "the CA file must be a regular file under the server's ca_dir ({})",
            dir.display()
        )
    };
    let dir = dir.canonicalize().map_err(|_| outside())?;
    let file = Path::new(path).canonicalize().map_err(|_| outside())?;
    if !file.starts_with(&dir) {
        return Err(outside());
    }
    let meta = std::fs::metadata(&file).map_err(|_| outside())?;
    if !meta.is_file() {
        return Err(outside());
    }
    if meta.len() > CA_FILE_MAX {
        return Err(format!("the CA file is larger than {CA_FILE_MAX} bytes"));
    }
    Ok(file)
}

/// Form-time checks of a cluster's connection against the server's rules.
pub fn check_connection_rules(
    config: &Config,
    coordinator_url: &str,
    conn: &Connection,
    errors: &mut FieldErrors,
) {
    if let Some(path) = &conn.ca_file {
        if let Err(e) = ca_path(config, path) {
            errors.add("connection.ca_file", format!("{}.", capitalize(&e)));
        }
    }
    let Ok(url) = url::Url::parse(coordinator_url) else {
        return;
    };
    if let Some(reason) = secret_refusal(config, &url, conn) {
        errors.add("connection.secret_env", format!("{}.", capitalize(&reason)));
    }
}

/// Why a coordinator is refused by `cluster_hosts`, as a check run says it.
fn outside_cluster_hosts(state: &AppState, reason: &str) -> String {
    format!(
        "the coordinator is outside cluster_hosts ({}): {reason}; nothing was sent",
        state.clients.hosts().shown()
    )
}

/// Form-time check of a coordinator URL against `cluster_hosts` (a field
/// error on `coordinator_url`); nothing when the setting is empty.
pub async fn check_cluster_hosts(
    state: &AppState,
    coordinator_url: &str,
    errors: &mut FieldErrors,
) {
    let hosts = state.clients.hosts();
    if !hosts.is_on() {
        return;
    }
    let Ok(url) = url::Url::parse(coordinator_url) else {
        return;
    };
    let limit = Duration::from_secs(state.config.check_timeout_secs.max(1));
    if let Err(reason) = hosts.check_form(&url, limit).await {
        errors.add(
            "coordinator_url",
            format!(
                "This coordinator is outside the server's cluster_hosts ({}): {reason}.",
                hosts.shown()
            ),
        );
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Reads the CA file under `limit`: a FIFO or a slow disk cannot stall a run.
async fn read_ca(config: &Config, path: &str, limit: Duration) -> Result<Vec<u8>, String> {
    let file = ca_path(config, path)?;
    let read = async {
        use tokio::io::AsyncReadExt;
        let f = tokio::fs::File::open(&file)
            .await
            .map_err(|e| format!("cannot read the CA file: {e}"))?;
        let mut buf = Vec::new();
        f.take(CA_FILE_MAX + 1)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| format!("cannot read the CA file: {e}"))?;
        if buf.len() as u64 > CA_FILE_MAX {
            return Err(format!("the CA file is larger than {CA_FILE_MAX} bytes"));
        }
        Ok(buf)
    };
    tokio::time::timeout(limit, read)
        .await
        .map_err(|_| format!("reading the CA file took longer than {limit:?}"))?
}

/// The clients and target for one cluster, or why they cannot be made.
/// Secrets are read from the environment here, at the last moment, and
/// live only in the `Target` (whose `Debug` hides them).
pub(crate) async fn connect(
    state: &AppState,
    coordinator_url: &str,
    conn: &Connection,
    timeout: Duration,
) -> Result<Clients, String> {
    let base_url = url::Url::parse(&format!("{coordinator_url}/"))
        .map_err(|e| format!("the coordinator URL is not valid: {e}"))?;
    if let Some(reason) = secret_refusal(&state.config, &base_url, conn) {
        return Err(reason);
    }
    state
        .clients
        .hosts()
        .admit(&base_url, timeout)
        .await
        .map_err(|reason| outside_cluster_hosts(state, &reason))?;
    let ca_pem = match &conn.ca_file {
        None => None,
        Some(path) => Some(read_ca(&state.config, path, timeout).await?),
    };
    let mut key = ClientKey {
        ca_pem,
        insecure_tls: false,
        connect_timeout_secs: conn.connect_timeout_secs,
    };
    let verifier = state.clients.get(&key).map_err(|e| e.to_string())?;
    key.insecure_tls = conn.insecure_tls;
    let client = state.clients.get(&key).map_err(|e| e.to_string())?;
    let inspector = state
        .clients
        .inspector(conn.connect_timeout_secs)
        .map_err(|e| e.to_string())?;
    let secret = |name: &str| {
        std::env::var(name).map(SecretString::from).map_err(|_| {
            format!("the environment variable {name} is not set on the Shipshape server")
        })
    };
    let (auth, auth_user) = match &conn.auth {
        ConnAuth::None => (Auth::None, None),
        ConnAuth::Basic { user, password_env } => (
            Auth::Basic {
                user: user.clone(),
                password: secret(password_env)?,
            },
            Some(user.clone()),
        ),
        ConnAuth::Jwt { token_env } => (Auth::Bearer(secret(token_env)?), None),
    };
    // Trino checks the X-Trino-User against the authenticated user, so the
    // login user is the default identity.
    let user = conn
        .check_user
        .clone()
        .or(auth_user)
        .unwrap_or_else(|| state.config.check_user.clone());
    Ok(Clients {
        client,
        verifier,
        inspector,
        target: Target {
            base_url,
            user,
            auth,
            query_timeout: timeout,
            max_body: state.config.max_response_bytes,
        },
    })
}
