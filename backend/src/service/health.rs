//! Readiness for a load balancer or orchestrator (`/readyz`): the database
//! takes writes, every embedded migration is applied and the read model is
//! current. Liveness (`/healthz`) only asks that the database answers.

use crate::{db, repo, AppState};
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
    let read_model_current = match repo::item_state::is_current(&state.pool).await {
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

/// Takes the write lock and writes a row, then rolls back: nothing stays.
async fn probe_write(state: &AppState) -> Result<(), sqlx::Error> {
    let mut tx = state.pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("INSERT OR REPLACE INTO view_meta (name, version) VALUES ('readyz-probe', 0)")
        .execute(&mut *tx)
        .await?;
    tx.rollback().await
}

/// How many embedded migrations the database has not applied successfully.
async fn pending_migrations(state: &AppState) -> Result<usize, sqlx::Error> {
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&state.pool)
            .await?;
    Ok(db::MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .filter(|m| !applied.contains(&m.version))
        .count())
}
