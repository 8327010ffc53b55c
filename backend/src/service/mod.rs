//! Services: one module per feature. Each public function takes the state and
//! the acting user, checks the user's role, applies the domain rules and
//! returns domain types. The UI's server functions and the JSON API are thin
//! wrappers around these.

pub mod auth;
pub mod backup;
pub mod bundle;
pub mod bundle_stream;
pub mod calendar;
pub mod checkpoints;
pub mod checks;
pub mod clusters;
pub mod config_check;
pub mod config_push;
pub mod connect;
pub mod day2;
pub mod directory_login;
pub mod directory_refresh;
pub mod evidence;
pub mod export;
pub mod fleet;
pub mod gate;
pub mod health;
pub mod ledger_verify;
pub mod metrics;
pub mod migrate_store;
pub mod notifications;
pub mod preflight;
pub mod reminders;
pub mod report;
pub mod scheduler;
pub mod signoffs;
pub mod tokens;
pub mod users;
pub mod views;
pub mod waivers;
pub(crate) mod webhook;

use crate::{AppState, ServiceError};
use shipshape_domain::role::Permission;
use shipshape_domain::user::User;

pub(crate) fn require(user: &User, permission: Permission) -> Result<(), ServiceError> {
    if user.role.can(permission) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Now, and today's date in the configured time zone.
pub(crate) fn moment(
    state: &crate::AppState,
) -> Result<shipshape_domain::standing::Moment, ServiceError> {
    let tz = state
        .config
        .tz()
        .map_err(|e| ServiceError::internal("time zone", e))?;
    let now = chrono::Utc::now();
    Ok(shipshape_domain::standing::Moment {
        now,
        today: now.with_timezone(&tz).date_naive(),
    })
}

/// A cluster by id, archived or not; 404 when there is none.
pub(crate) async fn cluster_by_id(
    state: &AppState,
    id: shipshape_domain::ids::ClusterId,
) -> Result<shipshape_domain::cluster::Cluster, ServiceError> {
    state
        .db
        .read()
        .await?
        .clusters()
        .by_id(id)
        .await?
        .ok_or(ServiceError::NotFound("cluster"))
}

/// Now, as the ledger and the tables write timestamps.
pub(crate) fn now() -> shipshape_domain::time::Timestamp {
    shipshape_domain::time::Timestamp::now()
}

/// Now, in unix milliseconds (what sessions record as their login time).
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
