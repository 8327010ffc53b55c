//! Streamed exports of the sign-off history: CSV and JSON Lines, with the
//! same filters (`cluster`, `from`, `to`, `user`, `item`), and the auditor's
//! evidence bundle (a ZIP of the CSV, its attachments, a manifest and
//! `SHA256SUMS`) with those filters too.

use super::extract::CurrentUser;
use crate::error::ApiResult;
use crate::state::ServerState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use shipshape_backend::service::export;
use shipshape_backend::ServiceError;
use shipshape_domain::export::{ExportQuery, CSV_HEADER};

/// Streams the export: a task pulls pages of text (each read while the
/// previous one is sent; two in flight at most, so memory stays flat) and
/// hands them on. A client that goes away stops the task.
fn stream_as(
    pages: futures::stream::BoxStream<'static, Result<String, ServiceError>>,
    head: Option<String>,
    content_type: &'static str,
    file: &'static str,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    let mut pages = pages;
    tokio::spawn(async move {
        if let Some(h) = head {
            if tx.send(Ok(Bytes::from(h))).await.is_err() {
                return;
            }
        }
        while let Some(page) = pages.next().await {
            let chunk = page.map(Bytes::from).map_err(|e| {
                tracing::error!(error = %e, "an export was cut short");
                std::io::Error::other("export failed")
            });
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
    let chunks = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let body = Body::from_stream(chunks);
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                if file.ends_with(".csv") {
                    "attachment; filename=\"shipshape-signoffs.csv\""
                } else {
                    "attachment; filename=\"shipshape-signoffs.jsonl\""
                },
            ),
        ],
        body,
    )
        .into_response()
}

/// A refused export: JSON for clients, a page with the reason and a way
/// back for a browser that followed the export page's buttons.
fn refused(headers: &axum::http::HeaderMap, e: ServiceError) -> ApiResult<Response> {
    let e = crate::error::ApiError::from(e);
    if crate::error::wants_html(headers) {
        Ok(e.as_page("/export", "Back to the export page"))
    } else {
        Err(e)
    }
}

pub async fn csv(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    headers: axum::http::HeaderMap,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let filter = match export::prepare(&state.app, &user, &q).await {
        Ok(f) => f,
        Err(e) => return refused(&headers, e),
    };
    let head = shipshape_domain::csv::row(&CSV_HEADER);
    Ok(stream_as(
        export::csv_pages(state.app.clone(), filter),
        Some(head),
        "text/csv; charset=utf-8",
        "signoffs.csv",
    ))
}

pub async fn jsonl(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    headers: axum::http::HeaderMap,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let filter = match export::prepare(&state.app, &user, &q).await {
        Ok(f) => f,
        Err(e) => return refused(&headers, e),
    };
    Ok(stream_as(
        export::jsonl_pages(state.app.clone(), filter),
        None,
        "application/jsonl; charset=utf-8",
        "signoffs.jsonl",
    ))
}

/// `GET /api/v1/export/bundle.zip`: the evidence bundle, streamed as it is
/// built (no temporary file). At most two are built at once (then 429 with
/// `Retry-After`); a client that goes away stops its build. A missing
/// attachment is a clean 500 before the download starts; a failure after
/// that cuts the download, so a broken bundle never looks complete.
pub async fn bundle(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    headers: axum::http::HeaderMap,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let built = match shipshape_backend::service::bundle::build(&state.app, &user, &q).await {
        Ok(b) => b,
        Err(e) => return refused(&headers, e),
    };
    let disposition = format!("attachment; filename=\"{}\"", built.file_name);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from_stream(built.body.map(|chunk| chunk.map(Bytes::from))),
    )
        .into_response())
}
