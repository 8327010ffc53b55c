//! `GET /healthz`: 200 when the server can reach its database.

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
