//! `POST /api/v1/notifications/test` (admins): sends a test event to every
//! configured target now; 202 `{"targets": [...]}`, 403 for other roles,
//! 403 with a message when no target is configured.

use super::extract::CurrentUser;
use crate::error::ApiResult;
use crate::state::ServerState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use shipshape_backend::service::notifications;

pub async fn test(
    State(state): State<ServerState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let targets = notifications::send_test(&state.app, &user).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "targets": targets }))))
}
