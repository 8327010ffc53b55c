//! What the database says about itself: which migrations it has applied,
//! whether it takes writes (for `/readyz`).

use super::DbResult;

#[async_trait::async_trait]
pub trait MetaRepo: Send {
    /// The versions of the migrations applied successfully.
    async fn applied_migrations(&mut self) -> DbResult<Vec<i64>>;
    /// Writes a probe row (call in a write transaction that is then
    /// dropped, so nothing stays).
    async fn probe_write(&mut self) -> DbResult<()>;
}
