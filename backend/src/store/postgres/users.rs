//! PostgreSQL: the `users` table. Names are unique without regard to ASCII
//! case, as SQLite's `COLLATE NOCASE` column: a unique index on
//! `lower(username)` (the column is `COLLATE "C"`, so lower() folds ASCII
//! letters only), and every lookup compares `lower()` of both sides, the
//! parameter folded the same way.

use super::PgRepos;
use crate::repo::users::{insert_outcome, Credentials, CredentialsRow, UserRow, COLUMNS};
use crate::repo::{DbResult, UserRepo};
use shipshape_domain::directory::Source;
use shipshape_domain::role::Role;
use shipshape_domain::user::User;
use sqlx::Connection;

/// Matches `username` to the parameter `$1` without regard to ASCII case.
const BY_NAME: &str = "lower(username) = lower($1 COLLATE \"C\")";

#[async_trait::async_trait]
impl UserRepo for PgRepos {
    async fn count(&mut self) -> DbResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.c())
            .await
    }

    async fn insert(
        &mut self,
        username: &str,
        password_hash: &str,
        role: Role,
        at: &str,
        source: Source,
    ) -> DbResult<Option<User>> {
        // A taken name inserts nothing (no row back) instead of failing:
        // on PostgreSQL a failed statement would abort the caller's
        // transaction.
        let result = sqlx::query_as::<_, UserRow>(&format!(
            "INSERT INTO users (username, password_hash, role, created_at, source)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT ((lower(username))) DO NOTHING
             RETURNING {COLUMNS}"
        ))
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(at)
        .bind(source.as_str())
        .fetch_optional(self.c())
        .await;
        result.transpose().map_or(Ok(None), insert_outcome)
    }

    async fn insert_first(
        &mut self,
        username: &str,
        password_hash: &str,
        at: &str,
    ) -> DbResult<Option<User>> {
        // Under PostgreSQL's READ COMMITTED two setups could both see no
        // users; the write lock, taken before the insert reads the table,
        // makes the second one see the first. It is held already in a write
        // transaction (taking it again is harmless); on a plain connection
        // this takes it for a transaction of its own.
        let sql = format!(
            "INSERT INTO users (username, password_hash, role, created_at)
             SELECT $1, $2, 'admin', $3 WHERE NOT EXISTS (SELECT 1 FROM users)
             ON CONFLICT ((lower(username))) DO NOTHING
             RETURNING {COLUMNS}"
        );
        let mut tx = self.c().begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(super::WRITE_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query_as::<_, UserRow>(&sql)
            .bind(username)
            .bind(password_hash)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        row.map(User::try_from).transpose()
    }

    async fn by_id(&mut self, id: i64) -> DbResult<Option<User>> {
        let row = sqlx::query_as::<_, UserRow>(&format!(
            "SELECT {COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(self.c())
        .await?;
        row.map(User::try_from).transpose()
    }

    async fn by_username(&mut self, username: &str) -> DbResult<Option<User>> {
        let row =
            sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE {BY_NAME}"))
                .bind(username)
                .fetch_optional(self.c())
                .await?;
        row.map(User::try_from).transpose()
    }

    async fn credentials(&mut self, username: &str) -> DbResult<Option<Credentials>> {
        let row = sqlx::query_as::<_, CredentialsRow>(&format!(
            "SELECT {COLUMNS}, password_hash FROM users WHERE {BY_NAME}"
        ))
        .bind(username)
        .fetch_optional(self.c())
        .await?;
        row.map(Credentials::try_from).transpose()
    }

    async fn list(&mut self) -> DbResult<Vec<User>> {
        // Sorted as SQLite sorts its NOCASE column.
        let rows = sqlx::query_as::<_, UserRow>(&format!(
            "SELECT {COLUMNS} FROM users ORDER BY lower(username)"
        ))
        .fetch_all(self.c())
        .await?;
        rows.into_iter().map(User::try_from).collect()
    }

    async fn account(&mut self, id: i64) -> DbResult<Option<User>> {
        let row =
            sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.c())
                .await?;
        row.map(User::try_from).transpose()
    }

    async fn enabled_admins(&mut self) -> DbResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
        )
        .fetch_one(self.c())
        .await
    }

    async fn set_role(&mut self, id: i64, role: Role) -> DbResult<()> {
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn set_disabled(&mut self, id: i64, disabled_at: Option<&str>) -> DbResult<()> {
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(disabled_at)
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn set_password(&mut self, id: i64, hash: &str) -> DbResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn sessions_valid_after(&mut self, id: i64) -> DbResult<Option<i64>> {
        let v: Option<Option<i64>> =
            sqlx::query_scalar("SELECT sessions_valid_after FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(self.c())
                .await?;
        Ok(v.flatten())
    }

    async fn end_sessions(&mut self, id: i64, at: i64) -> DbResult<()> {
        sqlx::query("UPDATE users SET sessions_valid_after = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn by_oidc_subject(&mut self, issuer: &str, subject: &str) -> DbResult<Option<User>> {
        let sql =
            format!("SELECT {COLUMNS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2");
        Ok(sqlx::query_as::<_, UserRow>(&sql)
            .bind(issuer)
            .bind(subject)
            .fetch_optional(self.c())
            .await?
            .map(User::try_from)
            .transpose()?)
    }

    async fn oidc_identity(&mut self, id: i64) -> DbResult<Option<(String, String)>> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT oidc_issuer, oidc_subject FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(self.c())
                .await?;
        Ok(row.and_then(|(i, s)| i.zip(s)))
    }

    async fn bind_oidc(&mut self, id: i64, issuer: &str, subject: &str) -> DbResult<()> {
        sqlx::query("UPDATE users SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3")
            .bind(issuer)
            .bind(subject)
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn directory_checked_at(&mut self, id: i64) -> DbResult<Option<String>> {
        let v: Option<Option<String>> =
            sqlx::query_scalar("SELECT directory_checked_at FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(self.c())
                .await?;
        Ok(v.flatten())
    }

    async fn set_directory_checked(&mut self, id: i64, at: &str) -> DbResult<()> {
        sqlx::query("UPDATE users SET directory_checked_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(self.c())
            .await?;
        Ok(())
    }
}
