//! The state every request shares: the database, the loaded runbook, the config,
//! the ledger's signing key.

use crate::config::Config;
use crate::files::BlobStore;
use crate::keys::{KeyFileError, LedgerKey};
use crate::store::{Store, StoreError};
use crate::trino::ClientCache;
use shipshape_domain::runbook::{builtin_runbook, parse_runbook, Runbook, RunbookError};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    /// The database (SQLite or PostgreSQL) behind the repositories.
    pub db: Store,
    /// Whether this replica runs the work that must happen once.
    pub leader: crate::store::leader::Leader,
    pub runbook: Arc<Runbook>,
    pub config: Arc<Config>,
    /// HTTP clients for live checks, shared across runs.
    pub clients: ClientCache,
    /// Evidence files, by SHA-256.
    pub files: BlobStore,
    /// Signs checkpoints and bundle manifests; kept outside the database.
    pub ledger_key: LedgerKey,
    /// Failed-login limits and bounded password hashing.
    pub login_guard: crate::login_guard::LoginGuard,
    /// The one-time token first-run setup needs.
    pub setup_token: crate::setup_token::SetupToken,
    /// LDAP and OpenID Connect logins, when configured.
    pub directories: crate::directory::Directories,
    /// The read model, decoded, while the ledger's tip stays put.
    pub read_cache: crate::read_cache::ReadCache,
    /// How many evidence bundles and ledger verifications run at once.
    pub heavy: crate::heavy::HeavyWork,
    /// The last ledger verification, reused while the chain's tip stays.
    pub verify_cache: crate::service::ledger_verify::VerifyCache,
    /// Draining and stopping on `SIGTERM` (see [`crate::lifecycle`]).
    pub lifecycle: crate::lifecycle::Lifecycle,
    /// The latest readiness answer, shared for a moment (see
    /// [`crate::service::health::readiness_shared`]).
    pub readiness: crate::service::health::ReadinessCache,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("runbook: {0}")]
    Runbook(#[from] RunbookError),
    #[error("cannot read runbook {path}: {source}")]
    RunbookRead {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyFileError),
    #[error("configuration: {0}")]
    Directory(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// Reads the configured runbook, or the shipped one.
pub fn load_runbook(config: &Config) -> Result<Runbook, StartupError> {
    match &config.runbook {
        None => Ok(builtin_runbook()?),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|source| StartupError::RunbookRead {
                    path: path.display().to_string(),
                    source,
                })?;
            Ok(parse_runbook(&path.display().to_string(), &text)?)
        }
    }
}

impl AppState {
    /// Loads the runbook first (a bad one stops start-up before anything is
    /// created), then the signing key (made at first start; an exposed or
    /// malformed one stops start-up), then opens and migrates the database.
    pub async fn open(config: Config) -> Result<AppState, StartupError> {
        let runbook = load_runbook(&config)?;
        let directories =
            crate::directory::Directories::new(config.ldap.as_ref(), config.oidc.as_ref())
                .map_err(StartupError::Directory)?;
        let ledger_key = crate::keys::load_or_create(&config)?;
        let db = Store::open(&config).await?;
        let leader = crate::store::leader::Leader::new(&db);
        let files = BlobStore::new(config.attachments_dir());
        let clients = ClientCache::new(crate::trino::HostGuard::new(config.cluster_hosts_rule()?));
        Ok(AppState {
            db,
            leader,
            runbook: Arc::new(runbook),
            config: Arc::new(config),
            clients,
            files,
            ledger_key,
            login_guard: Default::default(),
            setup_token: Default::default(),
            directories,
            read_cache: Default::default(),
            heavy: Default::default(),
            verify_cache: Default::default(),
            lifecycle: Default::default(),
            readiness: Default::default(),
        })
    }
}
