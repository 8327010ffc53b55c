//! The `api_tokens` table: created, listed, revoked (never deleted), looked
//! up by the SHA-256 of the secret. `read_only` is 0/1 in SQLite and a
//! BOOLEAN on PostgreSQL; the row reads it as `bool` on both.

use super::{on_db, Conn, DbResult};
use shipshape_domain::api_token::TokenInfo;
use shipshape_domain::ids::{TokenId, UserId};
use shipshape_domain::time::Timestamp;
use sqlx::FromRow;

/// A token to store (its secret only as a digest).
pub struct NewToken<'a> {
    pub user_id: UserId,
    pub name: &'a str,
    pub token_sha256: &'a str,
    pub read_only: bool,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

#[derive(FromRow)]
struct TokenRow {
    #[sqlx(try_from = "i64")]
    id: TokenId,
    name: String,
    read_only: bool,
    #[sqlx(try_from = "String")]
    created_at: Timestamp,
    #[sqlx(try_from = "String")]
    expires_at: Timestamp,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl TryFrom<TokenRow> for TokenInfo {
    type Error = sqlx::Error;
    fn try_from(r: TokenRow) -> Result<Self, sqlx::Error> {
        Ok(TokenInfo {
            id: r.id,
            name: r.name,
            read_only: r.read_only,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: super::timestamp_opt(r.last_used_at)?,
            revoked_at: super::timestamp_opt(r.revoked_at)?,
        })
    }
}

#[derive(FromRow)]
struct TokenWithOwner {
    #[sqlx(flatten)]
    token: TokenRow,
    #[sqlx(try_from = "i64")]
    user_id: UserId,
}

const COLUMNS: &str = "id, name, read_only, created_at, expires_at, last_used_at, revoked_at";

/// The `api_tokens` table on one connection.
pub struct Tokens<'c>(&'c mut Conn);

impl Conn {
    pub fn tokens(&mut self) -> Tokens<'_> {
        Tokens(self)
    }
}

impl Tokens<'_> {
    /// Stores a token; returns its id.
    pub async fn insert(self, t: &NewToken<'_>) -> DbResult<TokenId> {
        let id: i64 = on_db!(self.0, |db| {
            sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_sha256, read_only, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(t.user_id.get())
        .bind(t.name)
        .bind(t.token_sha256)
        .bind(t.read_only)
        .bind(t.created_at)
        .bind(t.expires_at)
        .fetch_one(db)
        .await
        })?;
        Ok(TokenId::new(id))
    }

    pub async fn of_user(self, user_id: UserId) -> DbResult<Vec<TokenInfo>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, TokenRow>(SQL.as_str())
            .bind(user_id.get())
            .fetch_all(db)
            .await)?;
        rows.into_iter().map(TokenInfo::try_from).collect()
    }

    /// The token and its owner's id, by the secret's digest.
    pub async fn by_digest(self, token_sha256: &str) -> DbResult<Option<(TokenInfo, UserId)>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS}, user_id FROM api_tokens WHERE token_sha256 = $1")
        });
        let found = on_db!(self.0, |db| sqlx::query_as::<_, TokenWithOwner>(
            SQL.as_str()
        )
        .bind(token_sha256)
        .fetch_optional(db)
        .await)?;
        found
            .map(|w| Ok((TokenInfo::try_from(w.token)?, w.user_id)))
            .transpose()
    }

    pub async fn touch(self, id: TokenId, at: Timestamp) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2"
        )
        .bind(at.to_string())
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }

    /// Revokes the user's token; false when there is no such (unrevoked)
    /// token of theirs.
    pub async fn revoke(self, user_id: UserId, id: TokenId, at: Timestamp) -> DbResult<bool> {
        let done = on_db!(self.0, |db| {
            sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL"
        )
        .bind(at.to_string())
        .bind(id.get())
        .bind(user_id.get())
        .execute(db)
        .await
        .map(|done| done.rows_affected())
        })?;
        Ok(done == 1)
    }

    /// Revokes every unrevoked token of the user; returns how many.
    pub async fn revoke_all(self, user_id: UserId, at: Timestamp) -> DbResult<u64> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
        )
        .bind(at.to_string())
        .bind(user_id.get())
        .execute(db)
        .await
        .map(|done| done.rows_affected()))
    }
}
