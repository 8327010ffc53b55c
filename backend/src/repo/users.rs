//! The `users` table. Names are unique without regard to case.

use super::DbResult;
use shipshape_domain::directory::Source;
use shipshape_domain::role::Role;
use shipshape_domain::user::User;
use sqlx::FromRow;

/// A user together with the stored password hash, for login only.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[async_trait::async_trait]
pub trait UserRepo: Send {
    async fn count(&mut self) -> DbResult<i64>;
    /// Inserts a user; `Ok(None)` when the name is taken. Directory
    /// accounts get an empty password hash: no password of Shipshape's
    /// opens them.
    async fn insert(
        &mut self,
        username: &str,
        password_hash: &str,
        role: Role,
        at: &str,
        source: Source,
    ) -> DbResult<Option<User>>;
    /// Inserts the first admin only while there are no users at all,
    /// atomically: two concurrent first-run setups cannot both succeed.
    async fn insert_first(
        &mut self,
        username: &str,
        password_hash: &str,
        at: &str,
    ) -> DbResult<Option<User>>;
    /// An enabled account by id (sessions and tokens resolve through this).
    async fn by_id(&mut self, id: i64) -> DbResult<Option<User>>;
    /// Any account by name, disabled or not (directory logins look here).
    async fn by_username(&mut self, username: &str) -> DbResult<Option<User>>;
    /// An account's stored password hash, whatever its state and source
    /// (the caller decides what a disabled or directory account means).
    async fn credentials(&mut self, username: &str) -> DbResult<Option<Credentials>>;
    async fn list(&mut self) -> DbResult<Vec<User>>;
    /// Any account, disabled or not (for admins changing it).
    async fn account(&mut self, id: i64) -> DbResult<Option<User>>;
    async fn enabled_admins(&mut self) -> DbResult<i64>;
    async fn set_role(&mut self, id: i64, role: Role) -> DbResult<()>;
    async fn set_disabled(&mut self, id: i64, disabled_at: Option<&str>) -> DbResult<()>;
    async fn set_password(&mut self, id: i64, hash: &str) -> DbResult<()>;
    /// The user's newest "sign out everywhere" (unix ms), if any.
    async fn sessions_valid_after(&mut self, id: i64) -> DbResult<Option<i64>>;
    /// Ends every session of the user that began at or before `at`.
    async fn end_sessions(&mut self, id: i64, at: i64) -> DbResult<()>;
    /// The account bound to an OpenID provider's `iss` and `sub`.
    async fn by_oidc_subject(&mut self, issuer: &str, subject: &str) -> DbResult<Option<User>>;
    /// The OpenID identity (`iss`, `sub`) an account is bound to, if any.
    async fn oidc_identity(&mut self, id: i64) -> DbResult<Option<(String, String)>>;
    /// Binds an account to an OpenID identity (at its first login).
    async fn bind_oidc(&mut self, id: i64, issuer: &str, subject: &str) -> DbResult<()>;
    /// When the directory or provider last vouched for a directory account.
    async fn directory_checked_at(&mut self, id: i64) -> DbResult<Option<String>>;
    async fn set_directory_checked(&mut self, id: i64, at: &str) -> DbResult<()>;
}

/// The columns every query reads into a [`UserRow`].
pub(crate) const COLUMNS: &str =
    "id, username, role, created_at, disabled_at IS NOT NULL AS disabled, source";

#[derive(FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub created_at: String,
    pub disabled: bool,
    pub source: String,
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
pub(crate) struct CredentialsRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub password_hash: String,
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

/// Maps an insert's result: a taken name is `None`, not an error.
pub(crate) fn insert_outcome(result: DbResult<UserRow>) -> DbResult<Option<User>> {
    match result {
        Ok(r) => User::try_from(r).map(Some),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}
