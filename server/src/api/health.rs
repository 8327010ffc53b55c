//! `GET /healthz` (liveness): 200 when the server can reach its database.
//! `GET /readyz` (readiness): 200 only when the database takes writes, no
//! migration is pending and the read model is current; else 503 naming
//! what failed.

use crate::router::ServerState;
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
    let r = shipshape_backend::service::health::readiness(&state.app).await;
    let status = if r.ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = if r.ready() { "ready" } else { "not ready" };
    (status, Json(json!({"status": word, "checks": r})))
}
