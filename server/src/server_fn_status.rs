//! Server functions answer every error with HTTP 500 (server_fn 0.8 has no
//! hook for the status of an error response). This layer reads the error a
//! server function returned (the JSON-encoded `AppError`) and answers with
//! its status instead ([`AppError::status`]: 422 for a form value, 403 for a
//! role, 409 for a conflict, …), so the browser console, the access log and
//! `/metrics` count only real faults as server errors. The body is left as
//! it is: the client decodes the same error.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use shipshape_app::error::AppError;

/// Server functions live under `/api/`; the JSON API under `/api/v1/` has
/// its own statuses.
fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

/// An encoded error is small; anything larger is left alone.
const MAX_ERROR_BYTES: usize = 64 * 1024;

pub async fn refusal_status(req: Request, next: Next) -> Response {
    let server_fn = is_server_fn(req.uri().path());
    let res = next.run(req).await;
    if !server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ERROR_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            parts.status = StatusCode::INTERNAL_SERVER_ERROR;
            return Response::from_parts(parts, Body::empty());
        }
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(e.status()) {
            parts.status = status;
        }
        if let AppError::TooManyAttempts(secs) = e {
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                parts.headers.insert(header::RETRY_AFTER, v);
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
