//! PostgreSQL: the `reminders_sent` table.

use super::PgRepos;
use crate::repo::{DbResult, ReminderRepo};

#[async_trait::async_trait]
impl ReminderRepo for PgRepos {
    async fn claim(
        &mut self,
        cluster_id: i64,
        task_id: &str,
        due: &str,
        state: &str,
        at: &str,
    ) -> DbResult<bool> {
        let r = sqlx::query(
            "INSERT INTO reminders_sent (cluster_id, task_id, due, state, sent_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (cluster_id, task_id, due, state) DO NOTHING",
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
