//! Readiness for a load balancer or orchestrator (`/readyz`): the database
//! takes writes, every embedded migration is applied, the read model is
//! current and the data directory's disk has room. Liveness (`/healthz`)
//! only asks that the database answers. What failed is said in words too
//! ([`Readiness::reasons`]): a full disk, a database that cannot be reached.

use crate::AppState;
use serde::Serialize;

const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Each condition, true when it holds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Readiness {
    pub writable: bool,
    pub migrations_applied: bool,
    pub read_model_current: bool,
    /// At least [`crate::disk_space::LOW_SPACE_BYTES`] free under the data
    /// directory (and the SQLite file).
    pub disk_space: bool,
    /// What failed, in words, each once.
    #[serde(skip)]
    reasons: Vec<&'static str>,
}

const DISK_FULL: &str = "the server's disk is full";
const UNREACHABLE: &str = "the database cannot be reached";

impl Readiness {
    pub fn ready(&self) -> bool {
        self.writable && self.migrations_applied && self.read_model_current && self.disk_space
    }

    /// What keeps the server from being ready, in words (empty when ready).
    pub fn reasons(&self) -> &[&'static str] {
        &self.reasons
    }

    fn because(&mut self, why: &'static str) {
        if !self.reasons.contains(&why) {
            self.reasons.push(why);
        }
    }
}

/// The words for a database error: a full disk, a database that cannot be
/// reached, or `otherwise`.
fn words(e: &sqlx::Error, otherwise: &'static str) -> &'static str {
    use crate::storage_error::{classify, StorageErrorKind};
    match classify(e) {
        StorageErrorKind::DiskFull => DISK_FULL,
        StorageErrorKind::Unavailable => UNREACHABLE,
        StorageErrorKind::Other => otherwise,
    }
}

/// Whether every disk the server writes to has room.
fn disk_has_room(state: &AppState) -> bool {
    let mut dirs = vec![state.config.data_dir.clone()];
    if state.db.kind() == crate::store::DbKind::Sqlite {
        dirs.push(state.config.database_path());
    }
    let low = dirs.iter().find(|d| crate::disk_space::lacks_room(d, 0));
    if let Some(d) = low {
        tracing::error!(dir = %d.display(), "readiness: the disk is full (less than {} bytes free)", crate::disk_space::LOW_SPACE_BYTES);
    }
    low.is_none()
}

/// Checks every condition, each database check within [`PROBE_TIMEOUT`]; a
/// failing one is logged with its cause, and said in words.
/// How long one readiness answer is shared with every caller: `/readyz` is
/// anonymous, and each fresh answer takes the write lock for a moment.
pub const SHARED_FOR: std::time::Duration = std::time::Duration::from_millis(250);

/// The latest answer and when it was made.
#[derive(Clone, Default)]
pub struct ReadinessCache(
    std::sync::Arc<tokio::sync::Mutex<Option<(std::time::Instant, Readiness)>>>,
);

/// [`readiness`], asked at most once per [`SHARED_FOR`]: callers that come
/// while an answer is being made wait for it and share it, so a flood of
/// `/readyz` costs one write-lock probe per quarter second and never
/// queues behind real writes more than that.
pub async fn readiness_shared(state: &AppState) -> Readiness {
    let mut latest = state.readiness.0.lock().await;
    if let Some((at, r)) = latest.as_ref() {
        if at.elapsed() < SHARED_FOR {
            return r.clone();
        }
    }
    let r = readiness(state).await;
    *latest = Some((std::time::Instant::now(), r.clone()));
    r
}

pub async fn readiness(state: &AppState) -> Readiness {
    let mut r = Readiness {
        writable: true,
        migrations_applied: true,
        read_model_current: true,
        disk_space: disk_has_room(state),
        reasons: Vec::new(),
    };
    if !r.disk_space {
        r.because(DISK_FULL);
    }
    // A probe must answer quickly: a write lock held longer than this by
    // someone else counts as not writable.
    match tokio::time::timeout(PROBE_TIMEOUT, probe_write(state)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::error!(error = %e, "readiness: the database does not take writes");
            r.writable = false;
            r.because(words(&e, "the database does not take writes"));
        }
        Err(_) => {
            tracing::error!("readiness: no write lock within {PROBE_TIMEOUT:?}");
            r.writable = false;
            r.because("the database gave no write lock within 2 s");
        }
    }
    match tokio::time::timeout(PROBE_TIMEOUT, pending_migrations(state)).await {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => {
            tracing::error!(pending = n, "readiness: migrations are pending");
            r.migrations_applied = false;
            r.because("database migrations are pending");
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "readiness: could not read the applied migrations");
            r.migrations_applied = false;
            r.because(words(&e, "the applied migrations cannot be read"));
        }
        Err(_) => {
            r.migrations_applied = false;
            r.because(UNREACHABLE);
        }
    }
    match tokio::time::timeout(PROBE_TIMEOUT, read_model_current(state)).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => {
            r.read_model_current = false;
            r.because("the read model is not current");
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "readiness: could not read the read model's version");
            r.read_model_current = false;
            r.because(words(&e, "the read model's version cannot be read"));
        }
        Err(_) => {
            r.read_model_current = false;
            r.because(UNREACHABLE);
        }
    }
    r
}

async fn read_model_current(state: &AppState) -> Result<bool, sqlx::Error> {
    crate::ledger::is_current(&mut state.db.read().await?).await
}

/// Takes the write lock and writes a row, then rolls back: nothing stays.
async fn probe_write(state: &AppState) -> Result<(), sqlx::Error> {
    let mut tx = state.db.write().await?;
    tx.meta().probe_write().await
    // dropped without committing: rolled back
}

/// How many embedded migrations the database has not applied successfully.
async fn pending_migrations(state: &AppState) -> Result<usize, sqlx::Error> {
    let applied = state.db.read().await?.meta().applied_migrations().await?;
    Ok(state
        .db
        .migrator()
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .filter(|m| !applied.contains(&m.version))
        .count())
}
