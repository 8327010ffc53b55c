//! Day-2 tasks over the JSON API: schedules, completions with evidence
//! files (multipart), file downloads and the iCal feeds.

use super::extract::{ClusterPath, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::state::ServerState;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shipshape_backend::service::day2;
use shipshape_backend::ServiceError;
use shipshape_domain::day2::{Completion, TaskView};

pub async fn tasks(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Json<Vec<TaskView>>> {
    Ok(Json(day2::tasks(&state.app, &user, id).await?.1))
}

pub async fn all_tasks(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<TaskView>>> {
    Ok(Json(day2::all_tasks(&state.app, &user).await?))
}

pub async fn complete(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
    Path((_, task_id)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    form: Multipart,
) -> ApiResult<(StatusCode, Json<Completion>)> {
    // Role, cluster and task first: a refused upload is not read at all.
    day2::may_complete(&state.app, &user, id, &task_id).await?;
    let input = crate::upload::read_completion(
        form,
        &state.app.files,
        &crate::upload::Limits::of(&state.app.config).for_body(&headers),
    )
    .await?;
    let done = day2::complete(&state.app, &user, id, &task_id, input).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// The file, as an attachment of its stored type that the browser must not
/// sniff or render in the dashboard's origin.
pub async fn attachment(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let (meta, path) = day2::attachment(&state.app, &user, &sha256).await?;
    let file = tokio::fs::File::open(&path).await.map_err(|e| {
        tracing::error!(error = %e, sha256, "an attachment's file is missing");
        ApiError::new(StatusCode::NOT_FOUND, "attachment not found")
    })?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        meta.name.replace(|c: char| !c.is_ascii() || c == '"', "_")
    );
    let header_value = |v: &str| {
        HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("application/octet-stream"))
    };
    Ok((
        [
            (header::CONTENT_TYPE, header_value(&meta.content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(meta.size)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            ),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
            file,
            256 * 1024,
        )),
    )
        .into_response())
}

fn calendar(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"shipshape.ics\"",
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn calendar_all(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Response> {
    let tasks = day2::all_tasks(&state.app, &user).await?;
    let ics = shipshape_backend::ical::calendar(&tasks, chrono::Utc::now())
        .map_err(|e| ServiceError::internal("writing the calendar", e))?;
    Ok(calendar(ics))
}

pub async fn calendar_cluster(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    ClusterPath(id): ClusterPath,
) -> ApiResult<Response> {
    let (_, tasks) = day2::tasks(&state.app, &user, id).await?;
    let ics = shipshape_backend::ical::calendar(&tasks, chrono::Utc::now())
        .map_err(|e| ServiceError::internal("writing the calendar", e))?;
    Ok(calendar(ics))
}

#[derive(serde::Serialize)]
pub struct CalendarLink {
    /// The private feed's path; the token in it is shown only now.
    pub path: String,
}

/// Creates (or replaces) the caller's private calendar link.
pub async fn create_calendar_link(
    State(state): State<ServerState>,
    super::extract::AccountCaller(user): super::extract::AccountCaller,
) -> ApiResult<(StatusCode, Json<CalendarLink>)> {
    let token = shipshape_backend::service::calendar::create_link(&state.app, &user).await?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarLink {
            path: format!("/calendar/{token}.ics"),
        }),
    ))
}

/// `GET /calendar/{token}.ics`: the feed for calendar apps, no login.
pub async fn private_calendar(
    State(state): State<ServerState>,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let body = shipshape_backend::service::calendar::feed(&state.app, token).await?;
    Ok(calendar(body))
}
