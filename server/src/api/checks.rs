//! Live checks: run a cluster's checks now, and read the latest results.

use super::extract::{ClusterPath, CurrentUser};
use crate::error::ApiResult;
use crate::state::ServerState;
use axum::extract::State;
use axum::Json;
use shipshape_backend::service::checks;
use shipshape_domain::check::CheckResult;

/// Runs every automated check of the cluster and returns when all are done
/// (each is bounded by `check_timeout_secs`).
pub async fn run(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Vec<CheckResult>>> {
    Ok(Json(checks::run_now(&state.app, &user, id).await?))
}

pub async fn latest(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Vec<CheckResult>>> {
    Ok(Json(checks::latest(&state.app, &user, id).await?))
}
