//! Answers only requests addressed to the dashboard: when `public_url` is
//! set, a `Host` that names another host (not the dashboard's, not
//! `localhost`, not an IP address) is refused with 421 before any handler
//! runs, so a page on a re-pointed name (DNS rebinding) cannot read or
//! drive this server through a visitor's browser.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn own_host_only(public_url: Option<String>, req: Request, next: Next) -> Response {
    if let Some(public) = public_url.as_deref() {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            // HTTP/2 carries the authority in the URI instead.
            .or_else(|| req.uri().authority().map(|a| a.as_str()));
        if !shipshape_domain::origin::host_allowed(host, public) {
            tracing::warn!(host = host.unwrap_or("-"), path = %req.uri().path(), "request for another host refused");
            return (
                StatusCode::MISDIRECTED_REQUEST,
                axum::Json(
                    serde_json::json!({"error": "this server does not answer for that host name"}),
                ),
            )
                .into_response();
        }
    }
    next.run(req).await
}
