//! The `api_tokens` table: created, listed, revoked (never deleted), looked
//! up by the SHA-256 of the secret.

use shipshape_domain::api_token::TokenInfo;
use sqlx::{FromRow, SqliteExecutor};

#[derive(FromRow)]
struct Row {
    id: i64,
    name: String,
    read_only: bool,
    created_at: String,
    expires_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl From<Row> for TokenInfo {
    fn from(r: Row) -> Self {
        TokenInfo {
            id: r.id,
            name: r.name,
            read_only: r.read_only,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

const COLUMNS: &str = "id, name, read_only, created_at, expires_at, last_used_at, revoked_at";

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    db: impl SqliteExecutor<'_>,
    user_id: i64,
    name: &str,
    token_sha256: &str,
    read_only: bool,
    created_at: &str,
    expires_at: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_sha256, read_only, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_sha256)
    .bind(read_only)
    .bind(created_at)
    .bind(expires_at)
    .fetch_one(db)
    .await
}

pub async fn of_user(
    db: impl SqliteExecutor<'_>,
    user_id: i64,
) -> Result<Vec<TokenInfo>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE user_id = ? ORDER BY id DESC");
    let rows = sqlx::query_as::<_, Row>(&sql)
        .bind(user_id)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The token and its owner's id, by the secret's digest.
pub async fn by_digest(
    db: impl SqliteExecutor<'_>,
    token_sha256: &str,
) -> Result<Option<(TokenInfo, i64)>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS}, user_id FROM api_tokens WHERE token_sha256 = ?");
    #[derive(FromRow)]
    struct WithOwner {
        #[sqlx(flatten)]
        token: Row,
        user_id: i64,
    }
    let found = sqlx::query_as::<_, WithOwner>(&sql)
        .bind(token_sha256)
        .fetch_optional(db)
        .await?;
    Ok(found.map(|w| (w.token.into(), w.user_id)))
}

pub async fn touch(db: impl SqliteExecutor<'_>, id: i64, at: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Revokes the user's token; false when there is no such (unrevoked) token
/// of theirs.
pub async fn revoke(
    db: impl SqliteExecutor<'_>,
    user_id: i64,
    id: i64,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
