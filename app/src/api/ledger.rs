//! The ledger's signing key and the items an export can name, as the
//! Export page shows them.

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

/// The items the export page offers, as `(id, label)`.
#[server]
pub async fn export_items() -> Result<Vec<(String, String)>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(shipshape_backend::service::export::item_choices(&state, &user).await?)
}
