//! `GET /api/v1/clusters/{id}/gate`: the readiness gate for pipelines that
//! only have curl. Query: `min_score` (0–100, default 100),
//! `require_section` (repeatable), `allow_regressed` (`true`/`1`), `format`
//! (`json`, the default, `junit` or `text`). 200 when ready, 412 when not
//! (so `curl --fail` fails the job), with the same body either way.

use super::extract::{ClusterPath, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::junit::junit;
use crate::state::ServerState;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shipshape_backend::service::gate;
use shipshape_backend::ServiceError;
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::gate::{text, GateQuery};

enum Format {
    Json,
    Junit,
    Text,
}

fn parse(raw: Option<String>) -> Result<(GateQuery, Format), FieldErrors> {
    let mut q = GateQuery::default();
    let mut format = Format::Json;
    let mut errors = FieldErrors::new();
    let raw = raw.unwrap_or_default();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        match k.as_ref() {
            "min_score" => match v.trim().parse::<u32>() {
                Ok(n) => q.min_score = Some(n),
                Err(_) => errors.add("min_score", "Give a whole number from 0 to 100."),
            },
            "require_section" => q.require_sections.push(v.trim().to_string()),
            "allow_regressed" => {
                q.allow_regressed = matches!(v.as_ref(), "" | "1" | "true" | "yes")
            }
            "format" => match v.as_ref() {
                "json" => format = Format::Json,
                "junit" => format = Format::Junit,
                "text" => format = Format::Text,
                _ => errors.add("format", "Choose json, junit or text."),
            },
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok((q, format))
    } else {
        Err(errors)
    }
}

pub async fn gate(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let (q, format) = parse(raw).map_err(ApiError::invalid)?;
    let result = gate::gate(&state.app, &user, id, &q).await?;
    let status = if result.ready {
        StatusCode::OK
    } else {
        StatusCode::PRECONDITION_FAILED
    };
    Ok(match format {
        Format::Json => (status, Json(result)).into_response(),
        Format::Junit => (
            status,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            junit(&result)
                .map_err(|e| ServiceError::Internal(format!("writing the JUnit report: {e}")))?,
        )
            .into_response(),
        Format::Text => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text(&result),
        )
            .into_response(),
    })
}
