//! Who is behind a session cookie: the session keys, the user a session
//! belongs to (while it still counts), and binding or ending a session at
//! login and logout. The pages' server functions and the JSON API both use
//! it, so neither calls into the other for it.

use crate::service::auth;
use crate::{AppState, ServiceError};
use shipshape_domain::user::User;
use tower_sessions::Session;

/// Session key holding the logged-in user's id.
pub const USER_KEY: &str = "user_id";

/// Session key holding when the user logged in (unix milliseconds).
pub const LOGIN_AT_KEY: &str = "login_at";

/// The user behind a session, if any (and if the account still exists).
pub async fn session_user(
    state: &AppState,
    session: &Session,
) -> Result<Option<User>, ServiceError> {
    let id: Option<i64> = session
        .get(USER_KEY)
        .await
        .map_err(|e| ServiceError::internal("reading the session", e))?;
    let Some(id) = id else {
        return Ok(None);
    };
    let login_at: Option<i64> = session
        .get(LOGIN_AT_KEY)
        .await
        .map_err(|e| ServiceError::internal("reading the session", e))?;
    // A session from before login times were kept, past its lifetime, or
    // from before a "sign out everywhere" no longer counts.
    match login_at {
        Some(at) if auth::session_counts(state, id.into(), at).await? => {
            auth::user_by_id(state, id.into()).await
        }
        _ => Ok(None),
    }
}

/// Binds a session to a user after a successful login, under a new session
/// id (so a planted id cannot be reused).
pub async fn begin_session(session: &Session, user: &User) -> Result<(), ServiceError> {
    session
        .cycle_id()
        .await
        .map_err(|e| ServiceError::internal("cycling the session id", e))?;
    session
        .insert(USER_KEY, user.id)
        .await
        .map_err(|e| ServiceError::internal("writing the session", e))?;
    session
        .insert(LOGIN_AT_KEY, crate::service::now_millis())
        .await
        .map_err(|e| ServiceError::internal("writing the session", e))
}

pub async fn end_session(session: &Session) -> Result<(), ServiceError> {
    session
        .flush()
        .await
        .map_err(|e| ServiceError::internal("ending the session", e))
}
