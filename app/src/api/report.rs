//! The printable readiness report of one cluster.

use crate::error::AppError;
use leptos::prelude::*;
use shipshape_domain::report::ClusterReport;

#[server]
pub async fn readiness_report(cluster_id: i64) -> Result<ClusterReport, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(
        shipshape_backend::service::report::cluster_report(&state, &user, cluster_id.into())
            .await?,
    )
}
