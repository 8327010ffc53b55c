//! A cluster's configuration: `POST /api/v1/clusters/{id}/config` pushes
//! the files (JSON `{"files": [{"name", "text"}], "source"}`; 201 with the
//! ledger row, the diff and the verdicts, or 200 when the files are the
//! same as the previous push's), `GET …/config` reads the newest push with
//! its diff (`null` before the first), and `GET …/preflight?to=N` judges an
//! upgrade (200 when ready, 412 with blockers, so `curl --fail` fails the
//! job, the same body either way).

use super::extract::{ApiJson, ClusterPath, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::state::ServerState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shipshape_backend::service::config_push::{self, LatestPush, PushRequest};
use shipshape_backend::service::preflight;
use shipshape_domain::fields::FieldErrors;

/// The largest push body: a cluster's configuration is kilobytes.
pub const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushedFile {
    name: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushBody {
    files: Vec<PushedFile>,
    #[serde(default)]
    source: String,
}

pub async fn push(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    ApiJson(body): ApiJson<PushBody>,
) -> ApiResult<Response> {
    let req = PushRequest {
        files: body.files.into_iter().map(|f| (f.name, f.text)).collect(),
        source: body.source,
    };
    let outcome = config_push::push(&state.app, &user, id, req).await?;
    let status = if outcome.changed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome)).into_response())
}

pub async fn latest(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Option<LatestPush>>> {
    Ok(Json(config_push::latest(&state.app, &user, id).await?))
}

pub async fn preflight(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let mut to = None;
    let raw = raw.unwrap_or_default();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        if k == "to" {
            match v.trim().parse::<u32>() {
                Ok(n) => to = Some(n),
                Err(_) => {
                    return Err(ApiError::invalid(FieldErrors::single(
                        "to",
                        "Give a Trino release number such as 483.",
                    )))
                }
            }
        }
    }
    let result = preflight::preflight(&state.app, &user, id, to).await?;
    let status = if result.ready() {
        StatusCode::OK
    } else {
        StatusCode::PRECONDITION_FAILED
    };
    Ok((status, Json(result)).into_response())
}
