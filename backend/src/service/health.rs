//! Readiness for a load balancer or orchestrator (`/readyz`): the database
//! takes writes, every embedded migration is applied and the read model is
//! current. Liveness (`/healthz`) only asks that the database answers.

use crate::{repo, AppState};
use serde::Serialize;

const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Each condition, true when it holds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Readiness {
    pub writable: bool,
    pub migrations_applied: bool,
    pub read_model_current: bool,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.writable && self.migrations_applied && self.read_model_current
    }
}

/// Checks every condition; a failing one is logged with its cause (the
/// answer itself says only which failed).
pub async fn readiness(state: &AppState) -> Readiness {
    // A probe must answer quickly: a write lock held longer than this by
    // someone else counts as not writable.
    let writable = match tokio::time::timeout(PROBE_TIMEOUT, probe_write(state)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "readiness: the database does not take writes");
            false
        }
        Err(_) => {
            tracing::error!("readiness: no write lock within {PROBE_TIMEOUT:?}");
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
