//! Streamed exports of the sign-off history: CSV and JSON Lines, with the
//! same filters (`cluster`, `from`, `to`, `user`, `item`).

use super::extract::CurrentUser;
use crate::error::ApiResult;
use crate::router::ServerState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use shipshape_backend::service::export;
use shipshape_domain::export::{csv_row, jsonl_row, ExportQuery, CSV_HEADER};
use shipshape_domain::ledger::LedgerEntry;

fn stream_as(
    state: &ServerState,
    filter: shipshape_domain::export::ExportFilter,
    head: Option<String>,
    line: fn(&LedgerEntry) -> String,
    content_type: &'static str,
    file: &'static str,
) -> Response {
    let rows = export::rows(state.app.clone(), filter).map(move |r| match r {
        Ok(e) => Ok(Bytes::from(line(&e))),
        Err(e) => {
            tracing::error!(error = %e, "an export was cut short");
            Err(std::io::Error::other("export failed"))
        }
    });
    let body = match head {
        Some(h) => Body::from_stream(
            futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(h))]).chain(rows),
        ),
        None => Body::from_stream(rows),
    };
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

pub async fn csv(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let filter = export::prepare(&user, &q)?;
    let head = shipshape_domain::csv::row(&CSV_HEADER);
    Ok(stream_as(
        &state,
        filter,
        Some(head),
        csv_row,
        "text/csv; charset=utf-8",
        "signoffs.csv",
    ))
}

pub async fn jsonl(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let filter = export::prepare(&user, &q)?;
    Ok(stream_as(
        &state,
        filter,
        None,
        jsonl_row,
        "application/jsonl; charset=utf-8",
        "signoffs.jsonl",
    ))
}
