//! A live-check result: its verdict, reason and observed value, the evidence
//! behind it on demand, and the regressed marker.

use super::status::short_time;
use leptos::prelude::*;
use shipshape_domain::check::CheckResult;

#[component]
pub fn CheckLine(result: Option<CheckResult>, automated: bool, regressed: bool) -> impl IntoView {
    match result {
        None if automated => {
            view! { <p class="check muted" data-check="none">"Live check: not run yet."</p> }
                .into_any()
        }
        None => ().into_any(),
        Some(r) => {
            let status = r.status.as_str();
            view! {
                <div class=format!("check check-{status}") data-check=status>
                    <span class=format!("badge check-badge check-{status}")>{format!("check: {status}")}</span>
                    {regressed.then(|| view! { <span class="badge regressed" data-testid="regressed">"regressed"</span> })}
                    " " <span class="check-reason">{r.reason.clone()}</span>
                    {(!r.observed.is_empty()).then(|| view! { " · observed " <code>{r.observed.clone()}</code> })}
                    <span class="muted">" · " {short_time(&r.at)} " · " {r.duration_ms} " ms"</span>
                    {(!r.evidence.is_empty()).then(|| view! {
                        <details class="evidence">
                            <summary>"Evidence"</summary>
                            <pre>{r.evidence.clone()}</pre>
                        </details>
                    })}
                </div>
            }
            .into_any()
        }
    }
}
