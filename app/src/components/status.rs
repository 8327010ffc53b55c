//! The cadence badge, and timestamps shown to people. An item's state
//! badge comes from [`shipshape_domain::item_line`].

use leptos::prelude::*;
use shipshape_domain::runbook::Cadence;

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
