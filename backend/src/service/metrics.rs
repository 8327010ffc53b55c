//! What `/metrics` says about readiness: every unarchived cluster's score,
//! per section, its items by standing, overdue Day-2 tasks and pending
//! waivers, and each counting live verdict, from the same read model as
//! the dashboard; also the ledger's length.

use super::fleet::{entries, FleetQuery};
use crate::{AppState, ServiceError};
use shipshape_domain::metrics::{render, VerdictSample};

/// The readiness families in the Prometheus text format.
pub async fn readiness_exposition(state: &AppState) -> Result<String, ServiceError> {
    let fleet = entries(state, &FleetQuery::default()).await?;
    let states = state.read_cache.states(&state.db).await?;
    let mut verdicts = Vec::new();
    for e in &fleet {
        let Some(items) = states.get(&e.cluster.id) else {
            continue;
        };
        let mut of_cluster: Vec<VerdictSample> = items
            .iter()
            .filter_map(|(item, s)| {
                let verdict = s.record.verdict?;
                Some(VerdictSample {
                    cluster: e.cluster.name.clone(),
                    environment: e.cluster.environment.clone(),
                    item: item.clone(),
                    verdict,
                })
            })
            .collect();
        of_cluster.sort_by(|a, b| a.item.cmp(&b.item));
        verdicts.extend(of_cluster);
    }
    let tip = state.db.read().await?.ledger().tip_seq().await?;
    let mut text = render(&fleet, &verdicts);
    text.push_str(
        "# HELP shipshape_ledger_rows Rows in the sign-off ledger (its newest seq).\n\
         # TYPE shipshape_ledger_rows gauge\n",
    );
    text.push_str(&format!("shipshape_ledger_rows {tip}\n"));
    Ok(text)
}
