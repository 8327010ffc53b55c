//! The `notifications_sent` and `notify_cursor` tables.

use super::DbResult;

#[async_trait::async_trait]
pub trait NotificationRepo: Send {
    /// Records an event for a target; `false` when it was recorded before
    /// (so it is not sent twice).
    async fn claim(&mut self, event_id: &str, target: &str, kind: &str, at: &str)
        -> DbResult<bool>;
    /// The newest ledger row already looked at, if any.
    async fn cursor(&mut self) -> DbResult<Option<i64>>;
    async fn set_cursor(&mut self, seq: i64) -> DbResult<()>;
}
