//! The `api_tokens` table: created, listed, revoked (never deleted), looked
//! up by the SHA-256 of the secret.

use super::DbResult;
use shipshape_domain::api_token::TokenInfo;
use sqlx::FromRow;

/// A token to store (its secret only as a digest).
pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_sha256: &'a str,
    pub read_only: bool,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

#[async_trait::async_trait]
pub trait TokenRepo: Send {
    /// Stores a token; returns its id.
    async fn insert(&mut self, t: &NewToken<'_>) -> DbResult<i64>;
    async fn of_user(&mut self, user_id: i64) -> DbResult<Vec<TokenInfo>>;
    /// The token and its owner's id, by the secret's digest.
    async fn by_digest(&mut self, token_sha256: &str) -> DbResult<Option<(TokenInfo, i64)>>;
    async fn touch(&mut self, id: i64, at: &str) -> DbResult<()>;
    /// Revokes the user's token; false when there is no such (unrevoked)
    /// token of theirs.
    async fn revoke(&mut self, user_id: i64, id: i64, at: &str) -> DbResult<bool>;
    /// Revokes every unrevoked token of the user; returns how many.
    async fn revoke_all(&mut self, user_id: i64, at: &str) -> DbResult<u64>;
}

#[derive(FromRow)]
pub(crate) struct TokenRow {
    pub id: i64,
    pub name: String,
    pub read_only: bool,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<TokenRow> for TokenInfo {
    fn from(r: TokenRow) -> Self {
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

#[derive(FromRow)]
pub(crate) struct TokenWithOwner {
    #[sqlx(flatten)]
    pub token: TokenRow,
    pub user_id: i64,
}

pub(crate) const COLUMNS: &str =
    "id, name, read_only, created_at, expires_at, last_used_at, revoked_at";
