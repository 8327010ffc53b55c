//! The ledger's signing key, as the Export page shows it.

use crate::error::AppError;
use leptos::prelude::*;
use shipshape_domain::signing::KeyInfo;

/// The public key that signs checkpoints and evidence bundles (any
/// logged-in role: it is what auditors check bundles against).
#[server]
pub async fn ledger_key() -> Result<KeyInfo, AppError> {
    let (state, _user) = crate::ssr::require_user().await?;
    Ok(state.ledger_key.info())
}
