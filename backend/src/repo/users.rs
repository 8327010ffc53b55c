//! The `users` table.

use shipshape_domain::role::Role;
use shipshape_domain::user::User;
use sqlx::{FromRow, SqliteExecutor};

#[derive(FromRow)]
struct UserRow {
    id: i64,
    username: String,
    role: String,
    created_at: String,
}

/// A user together with the stored password hash, for login only.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(FromRow)]
struct CredentialsRow {
    id: i64,
    username: String,
    role: String,
    created_at: String,
    password_hash: String,
}

fn to_user(
    id: i64,
    username: String,
    role: String,
    created_at: String,
) -> Result<User, sqlx::Error> {
    let role = Role::parse(&role)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role:?}").into()))?;
    Ok(User {
        id,
        username,
        role,
        created_at,
        disabled: false,
    })
}

pub async fn count(db: impl SqliteExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

/// Inserts a user; `Ok(None)` when the name is taken.
pub async fn insert(
    db: impl SqliteExecutor<'_>,
    username: &str,
    password_hash: &str,
    role: Role,
    at: &str,
) -> Result<Option<User>, sqlx::Error> {
    let result = sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)
         RETURNING id, username, role, created_at",
    )
    .bind(username)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(at)
    .fetch_one(db)
    .await;
    match result {
        Ok(r) => to_user(r.id, r.username, r.role, r.created_at).map(Some),
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
    let row = sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (username, password_hash, role, created_at)
         SELECT ?, ?, 'admin', ? WHERE NOT EXISTS (SELECT 1 FROM users)
         RETURNING id, username, role, created_at",
    )
    .bind(username)
    .bind(password_hash)
    .bind(at)
    .fetch_optional(db)
    .await?;
    row.map(|r| to_user(r.id, r.username, r.role, r.created_at))
        .transpose()
}

pub async fn by_id(db: impl SqliteExecutor<'_>, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query_as::<_, UserRow>(
        "SELECT id, username, role, created_at FROM users WHERE id = ? AND disabled_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(|r| to_user(r.id, r.username, r.role, r.created_at))
        .transpose()
}

pub async fn credentials(
    db: impl SqliteExecutor<'_>,
    username: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query_as::<_, CredentialsRow>(
        "SELECT id, username, role, created_at, password_hash FROM users WHERE username = ? AND disabled_at IS NULL",
    )
    .bind(username)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            user: to_user(r.id, r.username, r.role, r.created_at)?,
            password_hash: r.password_hash,
        })
    })
    .transpose()
}

pub async fn list(db: impl SqliteExecutor<'_>) -> Result<Vec<User>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String, bool)> = sqlx::query_as(
        "SELECT id, username, role, created_at, disabled_at IS NOT NULL FROM users ORDER BY username",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, name, role, at, disabled)| {
            to_user(id, name, role, at).map(|u| User { disabled, ..u })
        })
        .collect()
}

/// Any account, disabled or not (for admins changing it).
pub async fn account(db: impl SqliteExecutor<'_>, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row: Option<(i64, String, String, String, bool)> = sqlx::query_as(
        "SELECT id, username, role, created_at, disabled_at IS NOT NULL FROM users WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(|(id, name, role, at, disabled)| {
        to_user(id, name, role, at).map(|u| User { disabled, ..u })
    })
    .transpose()
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
