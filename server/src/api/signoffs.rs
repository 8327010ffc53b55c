//! A cluster's checklist, sign-offs and item history.

use super::extract::{ApiJson, ClusterId, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::router::ServerState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use shipshape_backend::service::signoffs;
use shipshape_domain::checklist::{Checklist, HistoryEntry};
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::signoff::SignoffAction;

#[derive(Serialize)]
pub struct ChecklistBody {
    pub cluster_id: i64,
    pub cluster_name: String,
    #[serde(flatten)]
    pub checklist: Checklist,
}

pub async fn checklist(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterId(id): ClusterId,
) -> ApiResult<Json<ChecklistBody>> {
    let (cluster, checklist) = signoffs::checklist(&state.app, &user, id).await?;
    Ok(Json(ChecklistBody {
        cluster_id: cluster.id,
        cluster_name: cluster.name,
        checklist,
    }))
}

#[derive(Deserialize)]
pub struct SignBody {
    pub status: String,
    #[serde(default)]
    pub note: String,
}

pub async fn sign(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterId(id): ClusterId,
    Path((_, item_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<SignBody>,
) -> ApiResult<(StatusCode, Json<HistoryEntry>)> {
    let action = SignoffAction::parse(&body.status).ok_or_else(|| {
        ApiError::invalid(FieldErrors::single(
            "status",
            "must be done, not_applicable or revoked",
        ))
    })?;
    let entry = signoffs::sign(&state.app, &user, id, &item_id, action, &body.note).await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

pub async fn history(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterId(id): ClusterId,
    Path((_, item_id)): Path<(String, String)>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(
        signoffs::history(&state.app, &user, id, &item_id).await?,
    ))
}
