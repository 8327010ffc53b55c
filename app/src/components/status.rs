//! Badges for item states and cadences, and timestamps shown to people.

use leptos::prelude::*;
use shipshape_domain::runbook::Cadence;
use shipshape_domain::signoff::ItemStatus;

#[component]
pub fn StatusBadge(status: ItemStatus) -> impl IntoView {
    let class = format!("badge status-{}", status.as_str());
    view! { <span class=class data-status=status.as_str()>{status.label()}</span> }
}

#[component]
pub fn CadenceBadge(cadence: Cadence) -> impl IntoView {
    view! { <span class="badge cadence">{cadence.as_str()}</span> }
}

/// `2026-11-22T19:56:01.123456Z` → `2026-11-22 19:56 UTC`.
pub fn short_time(ts: &str) -> String {
    match (ts.get(0..10), ts.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => ts.to_string(),
    }
}

/// The item's standing when it says more than its ledger status: regressed,
/// expired or waived.
#[component]
pub fn StandingBadge(standing: shipshape_domain::standing::Standing) -> impl IntoView {
    use shipshape_domain::standing::Standing;
    matches!(
        standing,
        Standing::Regressed | Standing::Expired | Standing::Waived
    )
    .then(|| {
        view! {
            <span class=format!("badge standing-{}", standing.as_str()) data-standing=standing.as_str()>
                {standing.label()}
            </span>
        }
    })
}
