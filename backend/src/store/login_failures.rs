//! The `login_failures` table, used on PostgreSQL only: several replicas
//! share one database, so the failed logins are kept there for every
//! replica to count the same ones. A SQLite install is one process and
//! counts them in memory ([`crate::login_guard`]); its schema has no such
//! table. So these are plain functions over a [`PgPool`], not calls on a
//! [`super::Conn`].

use shipshape_domain::login_limit::{LimitKey, WINDOW_SECS};
use sqlx::PgPool;

/// Each key's failures within the window: count and oldest time.
pub async fn counts(
    pool: &PgPool,
    keys: &[LimitKey],
    now: i64,
) -> Result<Vec<(LimitKey, usize, i64)>, sqlx::Error> {
    let names: Vec<String> = keys.iter().map(LimitKey::storage_key).collect();
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT key, COUNT(*), MIN(at) FROM login_failures
         WHERE key = ANY($1) AND at > $2 GROUP BY key",
    )
    .bind(&names)
    .bind(now - WINDOW_SECS)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, n, oldest)| {
            let key = keys.iter().find(|k| k.storage_key() == name)?;
            Some((
                key.clone(),
                usize::try_from(n).unwrap_or(usize::MAX),
                oldest,
            ))
        })
        .collect())
}

/// Records one failure against every key, and forgets failures that have
/// left the window.
pub async fn record(pool: &PgPool, keys: &[LimitKey], now: i64) -> Result<(), sqlx::Error> {
    let names: Vec<String> = keys.iter().map(LimitKey::storage_key).collect();
    sqlx::query("INSERT INTO login_failures (key, at) SELECT k, $2 FROM UNNEST($1::text[]) AS k")
        .bind(&names)
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at <= $1")
        .bind(now - WINDOW_SECS)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets a key's failures (a success clears its pair).
pub async fn clear(pool: &PgPool, key: &LimitKey) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(key.storage_key())
        .execute(pool)
        .await?;
    Ok(())
}
