//! The printable per-cluster readiness report.

use super::{now, require};
use crate::{AppState, ServiceError};
use shipshape_domain::attachment::DetailsFiles;
use shipshape_domain::check::ACTION_VERDICT;
use shipshape_domain::ids::ClusterId;
use shipshape_domain::report::{ClusterReport, VerdictChangeRow, REPORT_VERDICT_CHANGES};
use shipshape_domain::role::Permission;
use shipshape_domain::user::User;

pub async fn cluster_report(
    state: &AppState,
    actor: &User,
    cluster_id: ClusterId,
) -> Result<ClusterReport, ServiceError> {
    require(actor, Permission::Read)?;
    let (cluster, checklist) = super::signoffs::checklist(state, actor, cluster_id).await?;
    let mut db = state.db.read().await?;
    let evidence = db
        .ledger()
        .latest_signoff_rows(cluster_id)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.content().item_id.to_string(),
                DetailsFiles::of(&r.content().details),
            )
        })
        .filter(|(_, files)| !files.is_empty())
        .collect();
    let waivers = super::waivers::list(state, actor, Some(cluster_id)).await?;
    let verdict_changes = db
        .ledger()
        .newest_with_action(cluster_id, ACTION_VERDICT, REPORT_VERDICT_CHANGES)
        .await?
        .into_iter()
        .map(|e| VerdictChangeRow {
            seq: e.content().seq,
            at: e.content().at.to_string(),
            item_id: e.content().item_id.clone(),
            note: e.content().note.clone(),
        })
        .collect();
    let ledger_head = db.ledger().tip().await?;
    Ok(ClusterReport {
        cluster,
        checklist,
        evidence,
        waivers,
        verdict_changes,
        generated_at: now().to_string(),
        generated_by: actor.username.clone(),
        ledger_head,
    })
}
