//! Private calendar links: a secret URL per user that calendar apps can
//! subscribe to without logging in. The token is shown once; only its
//! SHA-256 is stored, and a new link replaces the old one.

use super::{now, require};
use crate::secret::{digest, new_secret};
use crate::{AppState, ServiceError};
use shipshape_domain::role::Permission;
use shipshape_domain::user::User;

/// Creates (or replaces) the user's link and returns its token.
pub async fn create_link(state: &AppState, actor: &User) -> Result<String, ServiceError> {
    require(actor, Permission::Read)?;
    let token = new_secret("");
    state
        .db
        .read()
        .await?
        .calendar_links()
        .replace(actor.id, &digest(&token), now())
        .await?;
    Ok(token)
}

/// The iCal feed of every active cluster for the link's owner.
pub async fn feed(state: &AppState, token: &str) -> Result<String, ServiceError> {
    let mut db = state.db.read().await?;
    let user_id = db
        .calendar_links()
        .user_of(&digest(token))
        .await?
        .ok_or(ServiceError::NotFound("calendar"))?;
    let user = db
        .users()
        .by_id(user_id.into())
        .await?
        .ok_or(ServiceError::NotFound("calendar"))?;
    let tasks = super::day2::all_tasks(state, &user).await?;
    crate::ical::calendar(&tasks, chrono::Utc::now())
        .map_err(|e| ServiceError::internal("writing the calendar", e))
}
