//! A live-check result: its verdict, reason and observed value, the evidence
//! behind it on demand, and the regressed marker.

use super::status::short_time;
use leptos::prelude::*;
use shipshape_domain::check::{CheckResult, VerdictNote, VerdictState};

/// The flapping rule's word on the newest run: a failure that counts since
/// some time, or a verdict that does not count yet.
#[component]
fn VerdictNoteLine(note: Option<VerdictNote>) -> impl IntoView {
    note.map(|n| match n {
        VerdictNote::FailingSince { since, runs } => {
            let runs = (runs > 0).then(|| format!(" ({runs} runs)"));
            view! {
                <span class="verdict-note" data-testid="failing-since">
                    " · failing since " {short_time(&since)} {runs}
                </span>
            }
            .into_any()
        }
        VerdictNote::NotCountedYet {
            status,
            runs,
            counted,
        } => {
            let counted = counted.map(|c| c.as_str()).unwrap_or("not run");
            view! {
                <span class="verdict-note muted" data-testid="not-counted">
                    {format!(
                        " · {} {runs} run(s) in a row, not counted yet (counted: {counted})",
                        status.as_str()
                    )}
                </span>
            }
            .into_any()
        }
    })
}

/// The newest live verdict in a word, for an item's one-line summary.
#[component]
pub fn VerdictChip(result: Option<CheckResult>, automated: bool) -> impl IntoView {
    let (word, class) = match (&result, automated) {
        (Some(r), _) => (r.status.as_str(), r.status.as_str()),
        (None, true) => ("not run", "none"),
        (None, false) => ("manual", "manual"),
    };
    view! {
        <span class=format!("verdict-chip verdict-{class}") data-verdict=class>
            <span class="sr-only">"live check: "</span>{word}
        </span>
    }
}

#[component]
pub fn CheckLine(
    result: Option<CheckResult>,
    verdict: Option<VerdictState>,
    automated: bool,
    regressed: bool,
) -> impl IntoView {
    let note = verdict.and_then(|v| v.note());
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
                    <VerdictNoteLine note=note.clone()/>
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
