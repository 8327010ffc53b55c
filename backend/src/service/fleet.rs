//! Readiness of every cluster at a glance.

use super::require;
use crate::{repo, AppState, ServiceError};
use shipshape_domain::check::CheckStatus;
use shipshape_domain::checklist::regressed;
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
    let failing = repo::checks::failing_all(&state.pool).await?;
    let empty = Default::default();
    let none = Default::default();
    Ok(clusters
        .into_iter()
        .map(|cluster| {
            let actions = latest.get(&cluster.id).unwrap_or(&empty);
            let status = |id: &str| ItemStatus::from_latest(actions.get(id).copied());
            let readiness = readiness(&state.runbook, status);
            let failing = failing.get(&cluster.id).unwrap_or(&none);
            let regressed = failing
                .iter()
                .filter(|id| regressed(status(id), Some(CheckStatus::Fail)))
                .count() as u32;
            FleetEntry {
                cluster,
                readiness,
                regressed,
            }
        })
        .collect())
}
