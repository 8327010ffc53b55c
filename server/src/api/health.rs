//! `GET /healthz` (liveness): 200 when the server can reach its database.
//! `GET /readyz` (readiness): 200 only when the database takes writes, no
//! migration is pending, the read model is current and the disk has room;
//! else 503 naming what failed and why in `reason` (a full disk, a database
//! that cannot be reached). While the server drains on `SIGTERM` it answers
//! 503 `draining` at once, without asking the database.

use crate::state::ServerState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

pub async fn healthz(State(state): State<ServerState>) -> (StatusCode, Json<Value>) {
    match sqlx_ping(&state).await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
        }
    }
}

async fn sqlx_ping(state: &ServerState) -> Result<(), shipshape_backend::ServiceError> {
    shipshape_backend::service::auth::needs_setup(&state.app)
        .await
        .map(|_| ())
}

pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, Json<Value>) {
    if state.app.lifecycle.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "draining",
                "reason": "the server is shutting down: it finishes the requests it has and takes no new ones"
            })),
        );
    }
    let r = shipshape_backend::service::health::readiness_shared(&state.app).await;
    if r.ready() {
        return (
            StatusCode::OK,
            Json(json!({"status": "ready", "checks": r})),
        );
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "not ready", "reason": r.reasons().join("; "), "checks": r})),
    )
}
