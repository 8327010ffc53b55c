//! Waiver endpoints: list, request (SREs), decide (managers).

use super::extract::{ApiJson, ClusterPath, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::state::ServerState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use shipshape_backend::service::waivers::{self, DecisionInput, WaiverInput};
use shipshape_domain::ids::ClusterId;
use shipshape_domain::waiver::WaiverView;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub cluster: Option<i64>,
}

pub async fn list(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<Vec<WaiverView>>> {
    Ok(Json(
        waivers::list(&state.app, &user, p.cluster.map(ClusterId::new)).await?,
    ))
}

pub async fn request(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    Path((_, item_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<WaiverInput>,
) -> ApiResult<(StatusCode, Json<WaiverView>)> {
    let w = waivers::request(&state.app, &user, id, &item_id, &body).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

pub async fn decide(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    Path((_, seq)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<Json<WaiverView>> {
    let seq: i64 = seq
        .parse()
        .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "waiver not found"))?;
    Ok(Json(
        waivers::decide(&state.app, &user, id, seq, &body).await?,
    ))
}
