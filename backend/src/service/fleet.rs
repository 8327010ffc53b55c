//! Readiness of every cluster at a glance.

use super::require;
use crate::{repo, AppState, ServiceError};
use shipshape_domain::readiness::{readiness, FleetEntry};
use shipshape_domain::role::Permission;
use shipshape_domain::signoff::ItemStatus;
use shipshape_domain::user::User;

pub async fn fleet(
    state: &AppState,
    actor: &User,
    include_archived: bool,
) -> Result<Vec<FleetEntry>, ServiceError> {
    require(actor, Permission::Read)?;
    let clusters = repo::clusters::list(&state.pool, include_archived).await?;
    let latest = repo::ledger::latest_actions_all(&state.pool).await?;
    let empty = Default::default();
    Ok(clusters
        .into_iter()
        .map(|cluster| {
            let actions = latest.get(&cluster.id).unwrap_or(&empty);
            let readiness = readiness(&state.runbook, |id| {
                ItemStatus::from_latest(actions.get(id).copied())
            });
            FleetEntry { cluster, readiness }
        })
        .collect())
}
