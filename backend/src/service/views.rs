//! The read model's upkeep: built from the ledger when it is missing or of
//! an older fold version (at start-up), and rebuilt on demand
//! (`shipshape ledger rebuild-views`).

use crate::{AppState, ServiceError};

/// Rebuilds the read model unless it is current. Returns the number of
/// item states when it rebuilt.
pub async fn ensure_current(state: &AppState) -> Result<Option<usize>, ServiceError> {
    if crate::ledger::is_current(&mut state.db.read().await?).await? {
        return Ok(None);
    }
    rebuild(state).await.map(Some)
}

/// Recomputes every derived view from the ledger, in one transaction
/// (writers wait; readers keep the old views until it commits).
pub async fn rebuild(state: &AppState) -> Result<usize, ServiceError> {
    let started = std::time::Instant::now();
    let mut tx = state.db.write().await?;
    let n = crate::ledger::rebuild(&mut tx).await?;
    tx.commit().await?;
    state.read_cache.clear();
    tracing::info!(
        item_states = n,
        ms = started.elapsed().as_millis() as u64,
        "read model rebuilt from the ledger"
    );
    Ok(n)
}
