//! The `users` table.

use shipshape_domain::directory::Source;
use shipshape_domain::role::Role;
use shipshape_domain::user::User;
use sqlx::{FromRow, SqliteExecutor};

/// The columns every query below reads into a [`UserRow`].
const COLUMNS: &str = "id, username, role, created_at, disabled_at IS NOT NULL AS disabled, source";

#[derive(FromRow)]
struct UserRow {
    id: i64,
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

/// A user together with the stored password hash, for login only.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

pub async fn count(db: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

/// Inserts a user; `Ok(None)` when the name is taken. Directory accounts
/// get an empty password hash: no password of Shipshape's opens them.
pub async fn insert(
    db: impl SqliteExecutor<'_>,
    username: &str,
    password_hash: &str,
    role: Role,
    at: &str,
    source: Source,
) -> Result<Option<User>, sqlx::Error> {
    let result = sqlx::query_as::<_, UserRow>(&format!(
        "INSERT INTO users (username, password_hash, role, created_at, source) VALUES (?, ?, ?, ?, ?)
         RETURNING {COLUMNS}"
    ))
    .bind(username)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(at)
    .bind(source.as_str())
    .fetch_one(db)
    .await;
    match result {
        Ok(r) => User::try_from(r).map(Some),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Inserts the first admin only while there are no users at all, atomically:
/// two concurrent first-run setups cannot both succeed.
pub async fn insert_first(
    db: impl SqliteExecutor<'_>,
    username: &str,
    password_hash: &str,
    at: &str,
) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as::<_, UserRow>(&format!(
        "INSERT INTO users (username, password_hash, role, created_at)
         SELECT ?, ?, 'admin', ? WHERE NOT EXISTS (SELECT 1 FROM users)
         RETURNING {COLUMNS}"
    ))
    .bind(username)
    .bind(password_hash)
    .bind(at)
    .fetch_optional(db)
    .await?;
    row.map(User::try_from).transpose()
}

/// An enabled account by id (sessions and tokens resolve through this).
pub async fn by_id(db: impl SqliteExecutor<'_>, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {COLUMNS} FROM users WHERE id = ? AND disabled_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(User::try_from).transpose()
}

/// Any account by name, disabled or not (directory logins look here).
pub async fn by_username(
    db: impl SqliteExecutor<'_>,
    username: &str,
) -> Result<Option<User>, sqlx::Error> {
    let row =
        sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE username = ?"))
            .bind(username)
            .fetch_optional(db)
            .await?;
    row.map(User::try_from).transpose()
}

/// An account's stored password hash, whatever its state and source (the
/// caller decides what a disabled or directory account means).
pub async fn credentials(
    db: impl SqliteExecutor<'_>,
    username: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query_as::<_, CredentialsRow>(&format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE username = ?"
    ))
    .bind(username)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            user: User::try_from(r.user)?,
            password_hash: r.password_hash,
        })
    })
    .transpose()
}

pub async fn list(db: impl SqliteExecutor<'_>) -> Result<Vec<User>, sqlx::Error> {
    let rows =
        sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))
            .fetch_all(db)
            .await?;
    rows.into_iter().map(User::try_from).collect()
}

/// Any account, disabled or not (for admins changing it).
pub async fn account(db: impl SqliteExecutor<'_>, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as::<_, UserRow>(&format!("SELECT {COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(User::try_from).transpose()
}

pub async fn enabled_admins(db: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL")
        .fetch_one(db)
        .await
}

pub async fn set_role(db: impl SqliteExecutor<'_>, id: i64, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = ? WHERE id = ?")
        .bind(role.as_str())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_disabled(
    db: impl SqliteExecutor<'_>,
    id: i64,
    disabled_at: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET disabled_at = ? WHERE id = ?")
        .bind(disabled_at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_password(
    db: impl SqliteExecutor<'_>,
    id: i64,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The user's newest "sign out everywhere" (unix ms), if any.
pub async fn sessions_valid_after(
    db: impl SqliteExecutor<'_>,
    id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let v: Option<Option<i64>> =
        sqlx::query_scalar("SELECT sessions_valid_after FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(v.flatten())
}

/// Ends every session of the user that began at or before `at`.
pub async fn end_sessions(
    db: impl SqliteExecutor<'_>,
    id: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET sessions_valid_after = ? WHERE id = ?")
        .bind(at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
