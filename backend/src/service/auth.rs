//! First-run setup and login.

use super::now;
use crate::{password, AppState, ServiceError};
use secrecy::{ExposeSecret, SecretString};
use shipshape_domain::directory::Source;
use shipshape_domain::ids::UserId;
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
        .insert_first(&username, &hash, now())
        .await?
        .ok_or_else(already_set_up)?;
    super::users::record_created(&mut tx, SETUP_ACTOR, &user).await?;
    tx.commit().await?;
    state.setup_token.consume();
    Ok(user)
}

fn already_set_up() -> ServiceError {
    ServiceError::Conflict("Shipshape is already set up: log in instead.".into())
}

/// Checks a name and password from a client `address`. Unknown names and
/// wrong passwords fail the same way and take the same time. Failures are
/// limited per (name, address) pair, per address and for the install (then
/// [`ServiceError::TooManyAttempts`] without hashing at all); only a failed
/// check counts, so people logging in at the same moment from behind one
/// proxy are never refused for each other. Hashing waits for one of a few
/// slots, and each failure is logged with the name and address, never the
/// password.
pub async fn login(
    state: &AppState,
    username: &str,
    password: SecretString,
    address: Option<&str>,
) -> Result<User, ServiceError> {
    let guard = &state.login_guard;
    let keys = crate::login_guard::LoginGuard::keys(username, address);
    if let Err(secs) = guard.check(&state.db, &keys).await {
        tracing::warn!(user = %username.trim(), address = address.unwrap_or("-"), retry_after = secs, "login refused: too many failures");
        return Err(ServiceError::TooManyAttempts(secs));
    }
    let Some(_in_flight) = guard.begin(address) else {
        tracing::warn!(
            address = address.unwrap_or("-"),
            "login refused: too many at once from this address"
        );
        return Err(ServiceError::TooManyAttempts(1));
    };
    let outcome = check_password(state, username, password).await;
    match &outcome {
        Ok(_) => guard.succeeded(&state.db, &keys).await,
        Err(ServiceError::BadCredentials) => {
            tracing::warn!(user = %username.trim(), address = address.unwrap_or("-"), "failed login");
            guard.failed(&state.db, &keys).await;
        }
        Err(_) => {}
    }
    outcome
}

/// The password check behind [`login`]: a local account's hash, or the
/// directory for a directory name.
async fn check_password(
    state: &AppState,
    username: &str,
    password: SecretString,
) -> Result<User, ServiceError> {
    // No account's name holds a NUL (names are checked when made), and
    // PostgreSQL could not even look one up.
    if username.trim().is_empty()
        || username.contains('\0')
        || password.expose_secret().len() > shipshape_domain::user::PASSWORD_MAX
    {
        return Err(ServiceError::BadCredentials);
    }
    let name = username.trim();
    let creds = state.db.read().await?.users().credentials(name).await?;
    let local = creds
        .as_ref()
        .is_some_and(|c| c.user.source == Source::Local);
    if !local {
        // Not a local account: the directory decides, if there is one (a
        // name it made at an earlier login, or a name never seen). A
        // directory never takes over a local account of the same name.
        let directory_name = creds.as_ref().is_none_or(|c| c.user.source == Source::Ldap);
        if let (true, Some(_)) = (directory_name, &state.directories.ldap) {
            return super::directory_login::ldap_login(state, name, password).await;
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
        Some(u) if verified => Ok(u),
        _ => Err(ServiceError::BadCredentials),
    }
}

/// The user behind a session, if it still exists (enabled, and for a
/// directory account still vouched for: see [`still_vouched`]).
pub async fn user_by_id(state: &AppState, id: UserId) -> Result<Option<User>, ServiceError> {
    let mut db = state.db.read().await?;
    let Some(user) = db.users().by_id(id).await? else {
        return Ok(None);
    };
    Ok(still_vouched(state, &mut db, &user).await?.then_some(user))
}

/// Whether an account's sessions and tokens still count as far as its
/// directory goes. Local accounts: always. LDAP accounts with a service
/// account: the scheduled refresh disables leavers, so yes. OpenID
/// accounts, and LDAP accounts of a direct-bind directory (nobody can ask
/// it about a person without their password): for the configured
/// `account_max_hours` after the last login through it. An account whose
/// directory is no longer configured: no.
pub async fn still_vouched(
    state: &AppState,
    db: &mut crate::store::Conn,
    user: &User,
) -> Result<bool, ServiceError> {
    let max_hours = match user.source {
        Source::Local => return Ok(true),
        Source::Ldap => match &state.directories.ldap {
            Some(l) if l.can_look_up() => return Ok(true),
            Some(l) => l.account_max_hours(),
            None => return Ok(false),
        },
        Source::Oidc => match &state.directories.oidc {
            Some(o) => o.account_max_hours(),
            None => return Ok(false),
        },
    };
    let checked = db.users().directory_checked_at(user.id).await?;
    let fresh = shipshape_domain::directory::vouched_recently(
        checked.as_deref(),
        chrono::Utc::now(),
        max_hours,
    );
    if !fresh {
        tracing::info!(user = %user.username, source = user.source.as_str(), "directory account not vouched for recently: log in again");
    }
    Ok(fresh)
}

/// Whether a session of `user_id` that began at `login_at` (unix ms)
/// still counts: its absolute lifetime, and the user's newest "sign out
/// everywhere".
pub async fn session_counts(
    state: &AppState,
    user_id: UserId,
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
        super::now_millis(),
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
        .end_sessions(actor.id, super::now_millis())
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
    tx.users()
        .end_sessions(actor.id, super::now_millis())
        .await?;
    tx.commit().await?;
    tracing::info!(user = %actor.username, "password changed by its owner");
    Ok(())
}
