//! User management: admins add users in the UI, operators with the CLI.

use super::{now, require};
use crate::{password, repo, AppState, ServiceError};
use secrecy::{ExposeSecret, SecretString};
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::role::{Permission, Role};
use shipshape_domain::user::{validate_new_user, User};

/// Adds a user on behalf of a logged-in admin.
pub async fn add_user(
    state: &AppState,
    actor: &User,
    username: &str,
    role: Role,
    password: SecretString,
) -> Result<User, ServiceError> {
    require(actor, Permission::ManageUsers)?;
    create_user(state, username, role, password).await
}

/// Adds a user with no acting user: for the operator's CLI, which has the
/// database file and therefore full trust already.
pub async fn create_user(
    state: &AppState,
    username: &str,
    role: Role,
    password: SecretString,
) -> Result<User, ServiceError> {
    let username = validate_new_user(username, password.expose_secret())?;
    let hash = password::hash(password).await?;
    repo::users::insert(&state.pool, &username, &hash, role, &now())
        .await?
        .ok_or_else(|| {
            ServiceError::Invalid(FieldErrors::single("username", "That user name is taken."))
        })
}

pub async fn list_users(state: &AppState, actor: &User) -> Result<Vec<User>, ServiceError> {
    require(actor, Permission::ManageUsers)?;
    Ok(repo::users::list(&state.pool).await?)
}
