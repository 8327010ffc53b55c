//! SQLite: the `reminders_sent` table.

use super::SqliteRepos;
use crate::repo::{DbResult, ReminderRepo};

#[async_trait::async_trait]
impl ReminderRepo for SqliteRepos {
    async fn claim(
        &mut self,
        cluster_id: i64,
        task_id: &str,
        due: &str,
        state: &str,
        at: &str,
    ) -> DbResult<bool> {
        let r = sqlx::query(
            "INSERT OR IGNORE INTO reminders_sent (cluster_id, task_id, due, state, sent_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(cluster_id)
        .bind(task_id)
        .bind(due)
        .bind(state)
        .bind(at)
        .execute(self.c())
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
