//! `GET /api/v1/ledger/verify`: walks the hash chain (checking every signed
//! checkpoint) and reports the first break; `GET /api/v1/ledger/key`: the
//! public key that signs checkpoints and bundle manifests.

use super::extract::CurrentUser;
use crate::error::ApiResult;
use crate::router::ServerState;
use axum::extract::State;
use axum::Json;
use shipshape_backend::service::signoffs;
use shipshape_domain::ledger::Verification;
use shipshape_domain::signing::KeyInfo;

pub async fn verify(
    State(state): State<ServerState>,
    CurrentUser(_user): CurrentUser,
) -> ApiResult<Json<Verification>> {
    Ok(Json(signoffs::verify_ledger(&state.app).await?))
}

/// `{"public_key", "fingerprint", "algorithm": "ed25519"}`: what auditors
/// pass to `shipshape ledger verify --export FILE --public-key HEX`.
pub async fn key(
    State(state): State<ServerState>,
    CurrentUser(_user): CurrentUser,
) -> ApiResult<Json<KeyInfo>> {
    Ok(Json(state.app.ledger_key.info()))
}
