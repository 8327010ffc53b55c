//! The `calendar_links` table: one secret feed link per user, by the
//! SHA-256 of its token.

use super::{on_db, Conn, DbResult};
use shipshape_domain::ids::UserId;
use shipshape_domain::time::Timestamp;

/// The `calendar_links` table on one connection.
pub struct CalendarLinks<'c>(&'c mut Conn);

impl Conn {
    pub fn calendar_links(&mut self) -> CalendarLinks<'_> {
        CalendarLinks(self)
    }
}

impl CalendarLinks<'_> {
    /// Makes `token_sha256` the user's only link (an older one stops working).
    pub async fn replace(self, user_id: UserId, token_sha256: &str, at: Timestamp) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "INSERT INTO calendar_links (token_sha256, user_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET token_sha256 = excluded.token_sha256,
             created_at = excluded.created_at"
        )
        .bind(token_sha256)
        .bind(user_id.get())
        .bind(at.to_string())
        .execute(db)
        .await
        .map(|_| ()))
    }

    pub async fn user_of(self, token_sha256: &str) -> DbResult<Option<i64>> {
        on_db!(self.0, |db| sqlx::query_scalar(
            "SELECT user_id FROM calendar_links WHERE token_sha256 = $1"
        )
        .bind(token_sha256)
        .fetch_optional(db)
        .await)
    }
}
