//! The `reminders_sent` table: which Day-2 reminders went out (one row per
//! cluster, task, due date and state, so each message goes out once).

use super::{on_db, Conn, DbResult};
use shipshape_domain::ids::ClusterId;
use shipshape_domain::time::Timestamp;

/// The `reminders_sent` table on one connection.
pub struct Reminders<'c>(&'c mut Conn);

impl Conn {
    pub fn reminders(&mut self) -> Reminders<'_> {
        Reminders(self)
    }
}

impl Reminders<'_> {
    /// Records a reminder; `false` when it was recorded before (so it is
    /// not sent twice).
    pub async fn claim(
        self,
        cluster_id: ClusterId,
        task_id: &str,
        due: &str,
        state: &str,
        at: Timestamp,
    ) -> DbResult<bool> {
        let r = on_db!(self.0, |db| sqlx::query(
            "INSERT INTO reminders_sent (cluster_id, task_id, due, state, sent_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (cluster_id, task_id, due, state) DO NOTHING"
        )
        .bind(cluster_id.get())
        .bind(task_id)
        .bind(due)
        .bind(state)
        .bind(at.to_string())
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r == 1)
    }
}
