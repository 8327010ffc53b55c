//! First-run setup and login.

use super::now;
use crate::{password, repo, AppState, ServiceError};
use secrecy::{ExposeSecret, SecretString};
use shipshape_domain::user::{validate_new_user, User};

/// True until the first account exists.
pub async fn needs_setup(state: &AppState) -> Result<bool, ServiceError> {
    Ok(repo::users::count(&state.pool).await? == 0)
}

/// Creates the first admin. Fails once any account exists, even when two
/// setups race.
pub async fn setup_first_admin(
    state: &AppState,
    username: &str,
    password: SecretString,
) -> Result<User, ServiceError> {
    let username = validate_new_user(username, password.expose_secret())?;
    if !needs_setup(state).await? {
        return Err(already_set_up());
    }
    let hash = password::hash(password).await?;
    repo::users::insert_first(&state.pool, &username, &hash, &now())
        .await?
        .ok_or_else(already_set_up)
}

fn already_set_up() -> ServiceError {
    ServiceError::Conflict("Shipshape is already set up: log in instead.".into())
}

/// Checks a name and password. Unknown names and wrong passwords fail the
/// same way and take the same time.
pub async fn login(
    state: &AppState,
    username: &str,
    password: SecretString,
) -> Result<User, ServiceError> {
    if username.trim().is_empty()
        || password.expose_secret().len() > shipshape_domain::user::PASSWORD_MAX
    {
        return Err(ServiceError::BadCredentials);
    }
    let creds = repo::users::credentials(&state.pool, username.trim()).await?;
    let (user, hash) = match creds {
        Some(c) => (Some(c.user), Some(c.password_hash)),
        None => (None, None),
    };
    if password::verify(password, hash).await? {
        user.ok_or(ServiceError::BadCredentials)
    } else {
        Err(ServiceError::BadCredentials)
    }
}

/// The user behind a session, if it still exists.
pub async fn user_by_id(state: &AppState, id: i64) -> Result<Option<User>, ServiceError> {
    Ok(repo::users::by_id(&state.pool, id).await?)
}
