//! The `reminders_sent` table: which Day-2 reminders went out.

use sqlx::SqliteExecutor;

/// Records a reminder; `false` when it was recorded before (so it is not
/// sent twice).
pub async fn claim(
    db: impl SqliteExecutor<'_>,
    cluster_id: i64,
    task_id: &str,
    due: &str,
    state: &str,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT OR IGNORE INTO reminders_sent (cluster_id, task_id, due, state, sent_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(cluster_id)
    .bind(task_id)
    .bind(due)
    .bind(state)
    .bind(at)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}
