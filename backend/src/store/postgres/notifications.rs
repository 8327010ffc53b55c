//! PostgreSQL: the `notifications_sent` and `notify_cursor` tables.

use super::PgRepos;
use crate::repo::{DbResult, NotificationRepo};

#[async_trait::async_trait]
impl NotificationRepo for PgRepos {
    async fn claim(
        &mut self,
        event_id: &str,
        target: &str,
        kind: &str,
        at: &str,
    ) -> DbResult<bool> {
        // A replica claiming the same event at once waits for the first
        // claim to commit, then inserts nothing: one claim wins.
        let r = sqlx::query(
            "INSERT INTO notifications_sent (event_id, target, kind, sent_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (event_id, target) DO NOTHING",
        )
        .bind(event_id)
        .bind(target)
        .bind(kind)
        .bind(at)
        .execute(self.c())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn cursor(&mut self) -> DbResult<Option<i64>> {
        sqlx::query_scalar("SELECT seq FROM notify_cursor WHERE name = 'ledger'")
            .fetch_optional(self.c())
            .await
    }

    async fn set_cursor(&mut self, seq: i64) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO notify_cursor (name, seq) VALUES ('ledger', $1)
             ON CONFLICT (name) DO UPDATE SET seq = excluded.seq",
        )
        .bind(seq)
        .execute(self.c())
        .await?;
        Ok(())
    }
}
