//! `GET /api/v1/ledger/verify`: walks the hash chain (checking every signed
//! checkpoint) and reports the first break, reusing the last walk while the
//! chain's tip stays (see `shipshape_backend::service::ledger_verify`);
//! `GET /api/v1/ledger/key`: the public key that signs checkpoints and
//! bundle manifests.

use super::extract::CurrentUser;
use crate::error::ApiResult;
use crate::state::ServerState;
use axum::extract::State;
use axum::Json;
use shipshape_backend::service::ledger_verify;
use shipshape_domain::chain::Verification;
use shipshape_domain::signing::KeyInfo;

/// At most two walks at once (then 429 with `Retry-After`); a chain whose
/// tip has not moved gets the last result back (counted in
/// `shipshape_ledger_verify_total{result="cached"}`).
pub async fn verify(
    State(state): State<ServerState>,
    CurrentUser(_user): CurrentUser,
) -> ApiResult<Json<Verification>> {
    Ok(Json(ledger_verify::verify(&state.app).await?.result))
}

/// `{"public_key", "fingerprint", "algorithm": "ed25519"}`: what auditors
/// pass to `shipshape ledger verify --export FILE --public-key HEX`.
pub async fn key(
    State(state): State<ServerState>,
    CurrentUser(_user): CurrentUser,
) -> ApiResult<Json<KeyInfo>> {
    Ok(Json(state.app.ledger_key.info()))
}
