//! First-run setup and login.

use super::now;
use crate::{password, AppState, ServiceError};
use secrecy::{ExposeSecret, SecretString};
use shipshape_domain::directory::Source;
use shipshape_domain::user::{validate_new_user, User};

/// The actor on the row that records the first admin.
pub const SETUP_ACTOR: &str = "setup";

/// True until the first account exists.
pub async fn needs_setup(state: &AppState) -> Result<bool, ServiceError> {
    Ok(state.db.read().await?.users().count().await? == 0)
}

/// At start-up with no account yet: issues the one-time setup token,
/// writes it to `<data_dir>/setup-token` and returns it for the operator.
pub async fn prepare_setup(state: &AppState) -> Result<Option<SecretString>, ServiceError> {
    if !needs_setup(state).await? {
        return Ok(None);
    }
    let path = crate::setup_token::token_path(&state.config.data_dir);
    state
        .setup_token
        .issue(path)
        .map(Some)
        .map_err(|e| ServiceError::internal("writing the setup token", e))
}

/// Creates the first admin, given the one-time setup token. Fails once any
/// account exists, even when two setups race.
pub async fn setup_first_admin(
    state: &AppState,
    username: &str,
    password: SecretString,
    token: &SecretString,
) -> Result<User, ServiceError> {
    if !needs_setup(state).await? {
        return Err(already_set_up());
    }
    if !state.setup_token.matches(token) {
        tracing::warn!("first-run setup refused: wrong or missing setup token");
        return Err(ServiceError::Invalid(
            shipshape_domain::fields::FieldErrors::single(
                "setup_token",
                "Give the setup token the server printed at start-up (also in <data_dir>/setup-token).",
            ),
        ));
    }
    let username = validate_new_user(username, password.expose_secret())?;
    let hash = password::hash(password).await?;
    let mut tx = state.db.write().await?;
    let user = tx
        .users()
        .insert_first(&username, &hash, &now())
        .await?
        .ok_or_else(already_set_up)?;
    super::users::record_created(tx.repos(), SETUP_ACTOR, &user).await?;
    tx.commit().await?;
    state.setup_token.consume();
    Ok(user)
}

fn already_set_up() -> ServiceError {
    ServiceError::Conflict("Shipshape is already set up: log in instead.".into())
}

/// Checks a name and password from a client `address`. Unknown names and
/// wrong passwords fail the same way and take the same time. Failures are
/// limited per name and per address (then [`ServiceError::TooManyAttempts`]
/// without hashing at all), hashing waits for one of a few slots, and each
/// failure is logged with the name and address, never the password.
pub async fn login(
    state: &AppState,
    username: &str,
    password: SecretString,
    address: Option<&str>,
) -> Result<User, ServiceError> {
    let guard = &state.login_guard;
    let keys = crate::login_guard::LoginGuard::keys(username, address);
    if let Err(secs) = guard.check(&keys) {
        tracing::warn!(user = %username.trim(), address = address.unwrap_or("-"), retry_after = secs, "login refused: too many failures");
        return Err(ServiceError::TooManyAttempts(secs));
    }
    // Counted before hashing: concurrent attempts count at once, so a flood
    // is refused without waiting for hashes. A success clears the name.
    guard.failed(&keys);
    let fail = || {
        tracing::warn!(user = %username.trim(), address = address.unwrap_or("-"), "failed login");
        ServiceError::BadCredentials
    };
    // No account's name holds a NUL (names are checked when made), and
    // PostgreSQL could not even look one up.
    if username.trim().is_empty()
        || username.contains('\0')
        || password.expose_secret().len() > shipshape_domain::user::PASSWORD_MAX
    {
        return Err(fail());
    }
    let name = username.trim();
    let creds = state.db.read().await?.users().credentials(name).await?;
    let local = creds
        .as_ref()
        .is_some_and(|c| c.user.source == Source::Local);
    if !local {
        // Not a local account: the directory decides, if there is one (a
        // name it made at an earlier login, or a name never seen).
        let directory_name = creds.as_ref().is_none_or(|c| c.user.source == Source::Ldap);
        if let (true, Some(_)) = (directory_name, &state.directories.ldap) {
            return match super::directory_login::ldap_login(state, name, password).await {
                Ok(u) => {
                    guard.succeeded(&keys);
                    Ok(u)
                }
                Err(ServiceError::BadCredentials) => Err(fail()),
                Err(e) => Err(e),
            };
        }
    }
    let (user, hash) = match creds {
        Some(c) if c.user.source == Source::Local && !c.user.disabled => {
            (Some(c.user), Some(c.password_hash))
        }
        _ => (None, None),
    };
    let verified = password::verify(password, hash).await?;
    match user {
        Some(u) if verified => {
            guard.succeeded(&keys);
            Ok(u)
        }
        _ => Err(fail()),
    }
}

/// The user behind a session, if it still exists.
pub async fn user_by_id(state: &AppState, id: i64) -> Result<Option<User>, ServiceError> {
    Ok(state.db.read().await?.users().by_id(id).await?)
}

/// Now, in unix milliseconds (what sessions record as their login time).
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Whether a session of `user_id` that began at `login_at` (unix ms)
/// still counts: its absolute lifetime, and the user's newest "sign out
/// everywhere".
pub async fn session_counts(
    state: &AppState,
    user_id: i64,
    login_at: i64,
) -> Result<bool, ServiceError> {
    let valid_after = state
        .db
        .read()
        .await?
        .users()
        .sessions_valid_after(user_id)
        .await?;
    Ok(shipshape_domain::session::session_counts(
        login_at,
        now_millis(),
        state.config.session_max_days,
        valid_after,
    ))
}

/// Ends every session of the actor, this one included.
pub async fn sign_out_everywhere(state: &AppState, actor: &User) -> Result<(), ServiceError> {
    state
        .db
        .read()
        .await?
        .users()
        .end_sessions(actor.id, now_millis())
        .await?;
    tracing::info!(user = %actor.username, "signed out everywhere");
    Ok(())
}

/// A person changes their own password, giving the current one (limited
/// like a login). Every session of theirs ends; the caller logs in again.
pub async fn change_own_password(
    state: &AppState,
    actor: &User,
    current: SecretString,
    new: SecretString,
    address: Option<&str>,
) -> Result<(), ServiceError> {
    if actor.source != Source::Local {
        return Err(ServiceError::Refused(
            "Your password is kept by your directory or sign-on provider: change it there.".into(),
        ));
    }
    if let Some(problem) = shipshape_domain::user::password_problem(new.expose_secret()) {
        return Err(ServiceError::Invalid(
            shipshape_domain::fields::FieldErrors::single("new_password", problem),
        ));
    }
    // The current password is checked as a login is (limits, logging).
    login(state, &actor.username, current, address)
        .await
        .map_err(|e| match e {
            ServiceError::BadCredentials => {
                ServiceError::Invalid(shipshape_domain::fields::FieldErrors::single(
                    "current_password",
                    "That is not your current password.",
                ))
            }
            other => other,
        })?;
    let hash = password::hash(new).await?;
    // The new password and the end of every older session, together.
    let mut tx = state.db.write().await?;
    tx.users().set_password(actor.id, &hash).await?;
    tx.users().end_sessions(actor.id, now_millis()).await?;
    tx.commit().await?;
    tracing::info!(user = %actor.username, "password changed by its owner");
    Ok(())
}
