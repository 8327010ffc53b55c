//! A cluster's checklist, sign-offs and item history.

use super::extract::{ApiJson, ClusterPath, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::state::ServerState;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use shipshape_backend::service::signoffs;
use shipshape_domain::checklist::{Checklist, HistoryEntry};
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
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<ChecklistBody>> {
    let (cluster, checklist) = signoffs::checklist(&state.app, &user, id).await?;
    Ok(Json(ChecklistBody {
        cluster_id: cluster.id.into(),
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

/// A sign-off as JSON (`{"status", "note"}`), or as a multipart form with
/// the same fields plus `evidence_as_of` and evidence `files`.
pub async fn sign(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    Path((_, item_id)): Path<(String, String)>,
    request: Request,
) -> ApiResult<(StatusCode, Json<HistoryEntry>)> {
    // Role, cluster and item first: a refused upload is not read at all.
    signoffs::may_sign(&state.app, &user, id, &item_id).await?;
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (status, note, files, as_of) = if is_multipart {
        let headers = request.headers().clone();
        let form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
        let cfg = &state.app.config;
        let limits = crate::upload::Limits::of(cfg).for_body(&headers);
        let mut f = crate::upload::read_form(
            form,
            &state.app.files,
            &limits,
            &["status", "note", "evidence_as_of"],
        )
        .await?;
        let (status, note, as_of) = (f.take("status"), f.take("note"), f.take("evidence_as_of"));
        (status, note, f.files, as_of)
    } else {
        let ApiJson(body) = ApiJson::<SignBody>::from_request(request, &state).await?;
        (body.status, body.note, Vec::new(), String::new())
    };
    let action = SignoffAction::from_status(&status).map_err(ApiError::invalid)?;
    let entry = signoffs::sign_with_evidence(
        &state.app, &user, id, &item_id, action, &note, files, &as_of,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

pub async fn history(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    Path((_, item_id)): Path<(String, String)>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(
        signoffs::history(&state.app, &user, id, &item_id).await?,
    ))
}
