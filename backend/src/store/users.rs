//! The `users` table. Names are unique without regard to ASCII case:
//! SQLite's `COLLATE NOCASE` column, and on PostgreSQL a unique index on
//! `lower(username)` (the column is `COLLATE "C"`, so `lower()` folds ASCII
//! letters only); every lookup by name goes through the dialect's
//! `same_name`.
//!
//! A taken name is an outcome, not an error, and it must not spoil the
//! caller's transaction: on PostgreSQL a failed statement aborts the whole
//! transaction (SQLite fails the statement only). So an insert skips a
//! clash with `ON CONFLICT DO NOTHING`, and no row back means the name is
//! taken, on both databases.

use super::{on_db, Conn, DbResult};
use shipshape_domain::directory::Source;
use shipshape_domain::ids::UserId;
use shipshape_domain::role::Role;
use shipshape_domain::time::Timestamp;
use shipshape_domain::user::User;
use sqlx::{Connection as _, FromRow};

/// A user together with the stored password hash, for login only.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// The columns every query reads into a [`UserRow`].
const COLUMNS: &str = "id, username, role, created_at, disabled_at IS NOT NULL AS disabled, source";

#[derive(FromRow)]
struct UserRow {
    #[sqlx(try_from = "i64")]
    id: UserId,
    username: String,
    role: String,
    created_at: String,
    disabled: bool,
    source: String,
}

impl TryFrom<UserRow> for User {
    type Error = sqlx::Error;

    fn try_from(r: UserRow) -> Result<User, sqlx::Error> {
        let role = Role::parse(&r.role)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {:?}", r.role).into()))?;
        let source = Source::parse(&r.source)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown source {:?}", r.source).into()))?;
        Ok(User {
            id: r.id,
            username: r.username,
            role,
            created_at: r.created_at,
            disabled: r.disabled,
            source,
        })
    }
}

#[derive(FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

impl TryFrom<CredentialsRow> for Credentials {
    type Error = sqlx::Error;
    fn try_from(r: CredentialsRow) -> Result<Credentials, sqlx::Error> {
        Ok(Credentials {
            user: User::try_from(r.user)?,
            password_hash: r.password_hash,
        })
    }
}

/// Maps an insert's result: a taken name (no row back, or a unique
/// violation should one still occur) is `None`, not an error.
fn insert_outcome(result: DbResult<Option<UserRow>>) -> DbResult<Option<User>> {
    match result {
        Ok(row) => row.map(User::try_from).transpose(),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The `users` table on one connection.
pub struct Users<'c>(&'c mut Conn);

impl Conn {
    pub fn users(&mut self) -> Users<'_> {
        Users(self)
    }
}

impl Users<'_> {
    pub async fn count(self) -> DbResult<i64> {
        on_db!(self.0, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(db)
        .await)
    }

    /// Inserts a user; `Ok(None)` when the name is taken. Directory
    /// accounts get an empty password hash: no password of Shipshape's
    /// opens them.
    pub async fn insert(
        self,
        username: &str,
        password_hash: &str,
        role: Role,
        at: Timestamp,
        source: Source,
    ) -> DbResult<Option<User>> {
        // A taken name inserts nothing (no row back) instead of failing: on
        // PostgreSQL a failed statement would abort the caller's
        // transaction.
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "INSERT INTO users (username, password_hash, role, created_at, source)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT DO NOTHING
                 RETURNING {COLUMNS}"
            )
        });
        let result = on_db!(self.0, |db| sqlx::query_as::<_, UserRow>(SQL.as_str())
            .bind(username)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(at.to_string())
            .bind(source.as_str())
            .fetch_optional(db)
            .await);
        insert_outcome(result)
    }

    /// Inserts the first admin only while there are no users at all,
    /// atomically: two concurrent first-run setups cannot both succeed.
    pub async fn insert_first(
        self,
        username: &str,
        password_hash: &str,
        at: Timestamp,
    ) -> DbResult<Option<User>> {
        // Under PostgreSQL's READ COMMITTED two setups could both see no
        // users; the write lock, taken before the insert reads the table,
        // makes the second one see the first (SQLite's single writer does
        // so already: the lock is a no-op there). In a write transaction
        // this runs in a savepoint, on a plain connection in a transaction
        // of its own.
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "INSERT INTO users (username, password_hash, role, created_at)
                 SELECT $1, $2, 'admin', $3 WHERE NOT EXISTS (SELECT 1 FROM users)
                 ON CONFLICT DO NOTHING
                 RETURNING {COLUMNS}"
            )
        });
        let row = on_db!(self.0, |db, d| {
            let mut tx = db.begin().await?;
            d::lock_first_admin(&mut tx).await?;
            let row = sqlx::query_as::<_, UserRow>(SQL.as_str())
                .bind(username)
                .bind(password_hash)
                .bind(at.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        });
        row.map(User::try_from).transpose()
    }

    /// An enabled account by id (sessions and tokens resolve through this).
    pub async fn by_id(self, id: UserId) -> DbResult<Option<User>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL")
        });
        let row = on_db!(self.0, |db| sqlx::query_as::<_, UserRow>(SQL.as_str())
            .bind(id.get())
            .fetch_optional(db)
            .await)?;
        row.map(User::try_from).transpose()
    }

    /// Any account by name, disabled or not (directory logins look here).
    pub async fn by_username(self, username: &str) -> DbResult<Option<User>> {
        let row = on_db!(self.0, |db, d| {
            static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                format!(
                    "SELECT {COLUMNS} FROM users WHERE {}",
                    d::same_name("username", "$1")
                )
            });
            sqlx::query_as::<_, UserRow>(SQL.as_str())
                .bind(username)
                .fetch_optional(db)
                .await
        })?;
        row.map(User::try_from).transpose()
    }

    /// An account's stored password hash, whatever its state and source
    /// (the caller decides what a disabled or directory account means).
    pub async fn credentials(self, username: &str) -> DbResult<Option<Credentials>> {
        let row = on_db!(self.0, |db, d| {
            static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                format!(
                    "SELECT {COLUMNS}, password_hash FROM users WHERE {}",
                    d::same_name("username", "$1")
                )
            });
            sqlx::query_as::<_, CredentialsRow>(SQL.as_str())
                .bind(username)
                .fetch_optional(db)
                .await
        })?;
        row.map(Credentials::try_from).transpose()
    }

    /// All accounts by name, without regard to ASCII case on both
    /// databases (as SQLite sorts its NOCASE column).
    pub async fn list(self) -> DbResult<Vec<User>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM users ORDER BY lower(username)")
        });
        let rows = on_db!(self.0, |db| sqlx::query_as::<_, UserRow>(SQL.as_str())
            .fetch_all(db)
            .await)?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// Any account, disabled or not (for admins changing it).
    pub async fn account(self, id: UserId) -> DbResult<Option<User>> {
        static SQL: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM users WHERE id = $1"));
        let row = on_db!(self.0, |db| sqlx::query_as::<_, UserRow>(SQL.as_str())
            .bind(id.get())
            .fetch_optional(db)
            .await)?;
        row.map(User::try_from).transpose()
    }

    pub async fn enabled_admins(self) -> DbResult<i64> {
        on_db!(self.0, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL"
        )
        .fetch_one(db)
        .await)
    }

    pub async fn set_role(self, id: UserId, role: Role) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE users SET role = $1 WHERE id = $2"
        )
        .bind(role.as_str())
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }

    pub async fn set_disabled(self, id: UserId, disabled_at: Option<Timestamp>) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE users SET disabled_at = $1 WHERE id = $2"
        )
        .bind(disabled_at.map(|t| t.to_string()))
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }

    pub async fn set_password(self, id: UserId, hash: &str) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE users SET password_hash = $1 WHERE id = $2"
        )
        .bind(hash)
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }

    /// The user's newest "sign out everywhere" (unix ms), if any.
    pub async fn sessions_valid_after(self, id: UserId) -> DbResult<Option<i64>> {
        let v: Option<Option<i64>> = on_db!(self.0, |db| sqlx::query_scalar(
            "SELECT sessions_valid_after FROM users WHERE id = $1"
        )
        .bind(id.get())
        .fetch_optional(db)
        .await)?;
        Ok(v.flatten())
    }

    /// Ends every session of the user that began at or before `at`.
    pub async fn end_sessions(self, id: UserId, at: i64) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE users SET sessions_valid_after = $1 WHERE id = $2"
        )
        .bind(at)
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }

    /// The account bound to an OpenID provider's `iss` and `sub`.
    pub async fn by_oidc_subject(self, issuer: &str, subject: &str) -> DbResult<Option<User>> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {COLUMNS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2")
        });
        let row = on_db!(self.0, |db| sqlx::query_as::<_, UserRow>(SQL.as_str())
            .bind(issuer)
            .bind(subject)
            .fetch_optional(db)
            .await)?;
        row.map(User::try_from).transpose()
    }

    /// The OpenID identity (`iss`, `sub`) an account is bound to, if any.
    pub async fn oidc_identity(self, id: UserId) -> DbResult<Option<(String, String)>> {
        let row: Option<(Option<String>, Option<String>)> = on_db!(self.0, |db| sqlx::query_as(
            "SELECT oidc_issuer, oidc_subject FROM users WHERE id = $1"
        )
        .bind(id.get())
        .fetch_optional(db)
        .await)?;
        Ok(row.and_then(|(i, s)| i.zip(s)))
    }

    /// Binds an account to an OpenID identity (at its first login).
    pub async fn bind_oidc(self, id: UserId, issuer: &str, subject: &str) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE users SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3"
        )
        .bind(issuer)
        .bind(subject)
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }

    /// When the directory or provider last vouched for a directory account.
    pub async fn directory_checked_at(self, id: UserId) -> DbResult<Option<String>> {
        let v: Option<Option<String>> = on_db!(self.0, |db| sqlx::query_scalar(
            "SELECT directory_checked_at FROM users WHERE id = $1"
        )
        .bind(id.get())
        .fetch_optional(db)
        .await)?;
        Ok(v.flatten())
    }

    pub async fn set_directory_checked(self, id: UserId, at: Timestamp) -> DbResult<()> {
        on_db!(self.0, |db| sqlx::query(
            "UPDATE users SET directory_checked_at = $1 WHERE id = $2"
        )
        .bind(at.to_string())
        .bind(id.get())
        .execute(db)
        .await
        .map(|_| ()))
    }
}
