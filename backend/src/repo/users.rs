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
        "SELECT id, username, role, created_at FROM users WHERE id = ?",
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
        "SELECT id, username, role, created_at, password_hash FROM users WHERE username = ?",
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
    let rows = sqlx::query_as::<_, UserRow>(
        "SELECT id, username, role, created_at FROM users ORDER BY username",
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| to_user(r.id, r.username, r.role, r.created_at))
        .collect()
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
