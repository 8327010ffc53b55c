//! PostgreSQL: the `calendar_links` table.

use super::PgRepos;
use crate::repo::{CalendarLinkRepo, DbResult};

#[async_trait::async_trait]
impl CalendarLinkRepo for PgRepos {
    async fn replace(&mut self, user_id: i64, token_sha256: &str, at: &str) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO calendar_links (token_sha256, user_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET token_sha256 = excluded.token_sha256,
             created_at = excluded.created_at",
        )
        .bind(token_sha256)
        .bind(user_id)
        .bind(at)
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn user_of(&mut self, token_sha256: &str) -> DbResult<Option<i64>> {
        sqlx::query_scalar("SELECT user_id FROM calendar_links WHERE token_sha256 = $1")
            .bind(token_sha256)
            .fetch_optional(self.c())
            .await
    }
}
