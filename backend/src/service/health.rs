//! Readiness for a load balancer or orchestrator (`/readyz`): the database
//! takes writes, every embedded migration is applied, the read model is
//! current and the data directory's disk has room. Liveness (`/healthz`)
//! only asks that the database answers. What failed is said in words too
//! ([`Readiness::reasons`]): a full disk, a database that cannot be reached.

use crate::{repo, AppState};
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
    /// Why the write probe failed, in words.
    #[serde(skip)]
    pub write_problem: Option<&'static str>,
}

const DISK_FULL: &str = "the server's disk is full";

impl Readiness {
    pub fn ready(&self) -> bool {
        self.writable && self.migrations_applied && self.read_model_current && self.disk_space
    }

    /// What keeps the server from being ready, in words (empty when ready).
    pub fn reasons(&self) -> Vec<&'static str> {
        let mut r = Vec::new();
        if !self.disk_space {
            r.push(DISK_FULL);
        }
        if !self.writable {
            let why = self
                .write_problem
                .unwrap_or("the database does not take writes");
            if !r.contains(&why) {
                r.push(why);
            }
        }
        if !self.migrations_applied {
            r.push("database migrations are pending");
        }
        if !self.read_model_current {
            r.push("the read model is not current");
        }
        r
    }
}

/// The words for a failed write probe.
fn write_problem(e: &sqlx::Error) -> &'static str {
    use crate::storage_error::{classify, StorageErrorKind};
    match classify(e) {
        StorageErrorKind::DiskFull => DISK_FULL,
        StorageErrorKind::Unavailable => "the database cannot be reached",
        StorageErrorKind::Other => "the database does not take writes",
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

/// Checks every condition; a failing one is logged with its cause (the
/// answer itself says only which failed).
pub async fn readiness(state: &AppState) -> Readiness {
    // A probe must answer quickly: a write lock held longer than this by
    // someone else counts as not writable.
    let mut problem = None;
    let writable = match tokio::time::timeout(PROBE_TIMEOUT, probe_write(state)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "readiness: the database does not take writes");
            problem = Some(write_problem(&e));
            false
        }
        Err(_) => {
            tracing::error!("readiness: no write lock within {PROBE_TIMEOUT:?}");
            problem = Some("the database's write lock was not free within 2 s");
            false
        }
    };
    let migrations_applied = match pending_migrations(state).await {
        Ok(0) => true,
        Ok(n) => {
            tracing::error!(pending = n, "readiness: migrations are pending");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness: could not read the applied migrations");
            false
        }
    };
    let read_model_current = match read_model_current(state).await {
        Ok(current) => current,
        Err(e) => {
            tracing::error!(error = %e, "readiness: could not read the read model's version");
            false
        }
    };
    Readiness {
        writable,
        migrations_applied,
        read_model_current,
        disk_space: disk_has_room(state),
        write_problem: problem,
    }
}

async fn read_model_current(state: &AppState) -> Result<bool, sqlx::Error> {
    repo::item_state::is_current(state.db.read().await?.item_state()).await
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
