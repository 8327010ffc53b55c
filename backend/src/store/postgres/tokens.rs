//! PostgreSQL: the `api_tokens` table (`read_only` is a BOOLEAN column).

use super::PgRepos;
use crate::repo::tokens::{NewToken, TokenRow, TokenWithOwner, COLUMNS};
use crate::repo::{DbResult, TokenRepo};
use shipshape_domain::api_token::TokenInfo;

#[async_trait::async_trait]
impl TokenRepo for PgRepos {
    async fn insert(&mut self, t: &NewToken<'_>) -> DbResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_sha256, read_only, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(t.user_id)
        .bind(t.name)
        .bind(t.token_sha256)
        .bind(t.read_only)
        .bind(t.created_at)
        .bind(t.expires_at)
        .fetch_one(self.c())
        .await
    }

    async fn of_user(&mut self, user_id: i64) -> DbResult<Vec<TokenInfo>> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC");
        let rows = sqlx::query_as::<_, TokenRow>(&sql)
            .bind(user_id)
            .fetch_all(self.c())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn by_digest(&mut self, token_sha256: &str) -> DbResult<Option<(TokenInfo, i64)>> {
        let sql = format!("SELECT {COLUMNS}, user_id FROM api_tokens WHERE token_sha256 = $1");
        let found = sqlx::query_as::<_, TokenWithOwner>(&sql)
            .bind(token_sha256)
            .fetch_optional(self.c())
            .await?;
        Ok(found.map(|w| (w.token.into(), w.user_id)))
    }

    async fn touch(&mut self, id: i64, at: &str) -> DbResult<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn revoke(&mut self, user_id: i64, id: i64, at: &str) -> DbResult<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(id)
        .bind(user_id)
        .execute(self.c())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn revoke_all(&mut self, user_id: i64, at: &str) -> DbResult<u64> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(user_id)
        .execute(self.c())
        .await?;
        Ok(done.rows_affected())
    }
}
