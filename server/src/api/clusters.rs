//! `/api/v1/clusters`: list with readiness, register, read, edit, archive.

use super::extract::{ApiJson, ClusterPath, CurrentUser};
use crate::error::ApiResult;
use crate::state::ServerState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use shipshape_backend::service::{clusters, fleet};
use shipshape_domain::cluster::{Cluster, ClusterInput};
use shipshape_domain::readiness::Readiness;

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub archived: bool,
}

/// A cluster with its readiness, flat.
#[derive(Serialize)]
pub struct ClusterWithReadiness {
    #[serde(flatten)]
    pub cluster: Cluster,
    pub readiness: Readiness,
    pub regressed: u32,
}

pub async fn list(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ClusterWithReadiness>>> {
    let q = fleet::FleetQuery {
        include_archived: q.archived,
        environment: None,
    };
    let entries = fleet::fleet(&state.app, &user, &q).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| ClusterWithReadiness {
                cluster: e.cluster,
                readiness: e.readiness,
                regressed: e.regressed,
            })
            .collect(),
    ))
}

pub async fn create(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ApiJson(input): ApiJson<ClusterInput>,
) -> ApiResult<(StatusCode, Json<Cluster>)> {
    let cluster = clusters::create(&state.app, &user, &input).await?;
    Ok((StatusCode::CREATED, Json(cluster)))
}

pub async fn get(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Cluster>> {
    Ok(Json(clusters::get(&state.app, &user, id).await?))
}

pub async fn update(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    ApiJson(input): ApiJson<ClusterInput>,
) -> ApiResult<Json<Cluster>> {
    Ok(Json(clusters::update(&state.app, &user, id, &input).await?))
}

pub async fn archive(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Cluster>> {
    Ok(Json(
        clusters::set_archived(&state.app, &user, id, true).await?,
    ))
}

pub async fn restore(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Cluster>> {
    Ok(Json(
        clusters::set_archived(&state.app, &user, id, false).await?,
    ))
}

/// `GET /api/v1/clusters/{id}/changes`: the cluster's own ledger rows
/// (registered, changed with each field before → after, archived,
/// restored), newest first.
pub async fn changes(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Vec<shipshape_domain::ledger::LedgerEntry>>> {
    Ok(Json(clusters::changes(&state.app, &user, id).await?))
}
