//! Asking for waivers, deciding them, and the list managers work from.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shipshape_domain::waiver::WaiverView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiversPageData {
    pub waivers: Vec<WaiverView>,
    /// The viewer may approve or reject (decided on the server by role).
    pub can_decide: bool,
    pub username: String,
}

#[server]
pub async fn list_waivers() -> Result<WaiversPageData, AppError> {
    use shipshape_domain::role::Permission;
    let (state, user) = crate::ssr::require_user().await?;
    Ok(WaiversPageData {
        waivers: shipshape_backend::service::waivers::list(&state, &user, None).await?,
        can_decide: user.role.can(Permission::DecideWaivers),
        username: user.username,
    })
}

#[server]
pub async fn request_waiver(
    cluster_id: i64,
    item_id: String,
    kind: String,
    reason: String,
    expires_on: String,
) -> Result<WaiverView, AppError> {
    use shipshape_backend::service::waivers::{request, WaiverInput};
    let (state, user) = crate::ssr::require_user().await?;
    let input = WaiverInput {
        kind,
        reason,
        expires_on,
    };
    Ok(request(&state, &user, cluster_id.into(), &item_id, &input).await?)
}

#[server]
pub async fn decide_waiver(
    cluster_id: i64,
    request_seq: i64,
    decision: String,
    note: String,
) -> Result<WaiverView, AppError> {
    use shipshape_backend::service::waivers::{decide, DecisionInput};
    let (state, user) = crate::ssr::require_user().await?;
    let input = DecisionInput { decision, note };
    Ok(decide(&state, &user, cluster_id.into(), request_seq, &input).await?)
}
