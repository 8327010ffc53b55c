//! The `calendar_links` table: one secret feed link per user, by the
//! SHA-256 of its token.

use sqlx::SqliteExecutor;

/// Makes `token_sha256` the user's only link (an older one stops working).
pub async fn replace(
    db: impl SqliteExecutor<'_>,
    user_id: i64,
    token_sha256: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_links (token_sha256, user_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET token_sha256 = excluded.token_sha256,
         created_at = excluded.created_at",
    )
    .bind(token_sha256)
    .bind(user_id)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn user_of(
    db: impl SqliteExecutor<'_>,
    token_sha256: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM calendar_links WHERE token_sha256 = ?")
        .bind(token_sha256)
        .fetch_optional(db)
        .await
}
