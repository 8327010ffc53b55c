//! The `reminders_sent` table: which Day-2 reminders went out.

use super::DbResult;

#[async_trait::async_trait]
pub trait ReminderRepo: Send {
    /// Records a reminder; `false` when it was recorded before (so it is
    /// not sent twice).
    async fn claim(
        &mut self,
        cluster_id: i64,
        task_id: &str,
        due: &str,
        state: &str,
        at: &str,
    ) -> DbResult<bool>;
}
