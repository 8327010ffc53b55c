//! A cluster's checklist, signing items off, and item history.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shipshape_domain::checklist::{Checklist, HistoryEntry};
use shipshape_domain::cluster::Cluster;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPageData {
    pub cluster: Cluster,
    pub checklist: Checklist,
    pub can_sign: bool,
    pub can_manage: bool,
    pub can_run_checks: bool,
    /// Why live verdicts were reset and none has run since, if so.
    pub checks_reset_note: Option<String>,
    /// The cluster's own ledger rows (registered, changed, archived,
    /// restored), newest first.
    pub changes: Vec<HistoryEntry>,
    /// Readiness at the end of each of the last 90 days.
    pub trend: Vec<shipshape_domain::trend::TrendPoint>,
    /// Every check's newest run erred: the cluster could not be reached.
    pub unreachable: Option<shipshape_domain::cluster_reach::Unreachable>,
    /// What an evidence upload may hold.
    pub upload: shipshape_domain::attachment::UploadLimits,
    /// The cluster's pushed configuration and the upgrade preflight.
    pub config: shipshape_domain::trino_config::panel::ConfigPanel,
}

#[server]
pub async fn cluster_checklist(cluster_id: i64) -> Result<ClusterPageData, AppError> {
    use shipshape_domain::role::Permission;
    let (state, user) = crate::ssr::require_user().await?;
    let (cluster, checklist) =
        shipshape_backend::service::signoffs::checklist(&state, &user, cluster_id.into()).await?;
    let can_sign =
        shipshape_domain::signoff::sign_refusal(user.role, cluster.is_archived()).is_none();
    let any_check = checklist
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .any(|i| i.check.is_some());
    let checks_reset_note = shipshape_domain::cluster_change::reset_notice(&cluster, any_check);
    // Loaded with the page, not by resources of their own: the page
    // hydrates from one resource, so nothing below it waits for data that
    // arrives later than the code (which made hydration fail now and then).
    let changes = shipshape_backend::service::clusters::changes(&state, &user, cluster_id.into())
        .await?
        .into_iter()
        .map(HistoryEntry::from)
        .collect();
    let trend = shipshape_backend::service::fleet::readiness_trend(
        &state,
        &user,
        Some(cluster_id.into()),
        &shipshape_backend::service::fleet::FleetQuery {
            include_archived: true,
            environment: None,
        },
    )
    .await?;
    let config =
        shipshape_backend::service::config_push::panel(&state, &user, cluster_id.into()).await?;
    Ok(ClusterPageData {
        config,
        unreachable: shipshape_domain::cluster_reach::unreachable(&checklist),
        upload: crate::ssr::upload_limits(&state),
        changes,
        trend,
        checks_reset_note,
        cluster,
        checklist,
        can_sign,
        can_manage: user.role.can(Permission::ManageClusters),
        can_run_checks: user.role.can(Permission::RunChecks),
    })
}

/// The cluster's own history: registered, changed (field by field),
/// archived, restored; newest first.
#[server]
pub async fn cluster_changes(cluster_id: i64) -> Result<Vec<HistoryEntry>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(
        shipshape_backend::service::clusters::changes(&state, &user, cluster_id.into())
            .await?
            .into_iter()
            .map(HistoryEntry::from)
            .collect(),
    )
}

#[server]
pub async fn sign_item(
    cluster_id: i64,
    item_id: String,
    status: String,
    note: String,
) -> Result<HistoryEntry, AppError> {
    use shipshape_domain::signoff::SignoffAction;
    let (state, user) = crate::ssr::require_user().await?;
    let action = SignoffAction::from_status(&status).map_err(AppError::Invalid)?;
    Ok(shipshape_backend::service::signoffs::sign(
        &state,
        &user,
        cluster_id.into(),
        &item_id,
        action,
        &note,
    )
    .await?)
}

#[server]
pub async fn item_history(cluster_id: i64, item_id: String) -> Result<Vec<HistoryEntry>, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(
        shipshape_backend::service::signoffs::history(&state, &user, cluster_id.into(), &item_id)
            .await?,
    )
}

/// Runs the cluster's live checks now; returns how many ran.
#[server]
pub async fn run_checks(cluster_id: i64) -> Result<usize, AppError> {
    let (state, user) = crate::ssr::require_user().await?;
    Ok(
        shipshape_backend::service::checks::run_now(&state, &user, cluster_id.into())
            .await?
            .len(),
    )
}
