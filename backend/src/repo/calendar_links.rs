//! The `calendar_links` table: one secret feed link per user, by the
//! SHA-256 of its token.

use super::DbResult;

#[async_trait::async_trait]
pub trait CalendarLinkRepo: Send {
    /// Makes `token_sha256` the user's only link (an older one stops working).
    async fn replace(&mut self, user_id: i64, token_sha256: &str, at: &str) -> DbResult<()>;
    async fn user_of(&mut self, token_sha256: &str) -> DbResult<Option<i64>>;
}
