//! The `notifications_sent` and `notify_cursor` tables.

use sqlx::SqliteExecutor;

/// Records an event for a target; `false` when it was recorded before (so
/// it is not sent twice).
pub async fn claim(
    db: impl SqliteExecutor<'_>,
    event_id: &str,
    target: &str,
    kind: &str,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT OR IGNORE INTO notifications_sent (event_id, target, kind, sent_at) VALUES (?, ?, ?, ?)",
    )
    .bind(event_id)
    .bind(target)
    .bind(kind)
    .bind(at)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The newest ledger row already looked at, if any.
pub async fn cursor(db: impl SqliteExecutor<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT seq FROM notify_cursor WHERE name = 'ledger'")
        .fetch_optional(db)
        .await
}

pub async fn set_cursor(db: impl SqliteExecutor<'_>, seq: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notify_cursor (name, seq) VALUES ('ledger', ?)
         ON CONFLICT (name) DO UPDATE SET seq = excluded.seq",
    )
    .bind(seq)
    .execute(db)
    .await?;
    Ok(())
}
