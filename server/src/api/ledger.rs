//! `GET /api/v1/ledger/verify`: walks the hash chain and reports the first break.

use super::extract::CurrentUser;
use crate::error::ApiResult;
use crate::router::ServerState;
use axum::extract::State;
use axum::Json;
use shipshape_backend::service::signoffs;
use shipshape_domain::ledger::Verification;

pub async fn verify(
    State(state): State<ServerState>,
    CurrentUser(_user): CurrentUser,
) -> ApiResult<Json<Verification>> {
    Ok(Json(signoffs::verify_ledger(&state.app).await?))
}
