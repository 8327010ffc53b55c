//! The cluster page's Configuration panel: the newest push of the
//! cluster's own configuration (who, when, from where, each file's
//! SHA-256, the changes since the push before) or, before the first,
//! which items a push would verify and the command a pipeline runs; and
//! the Preflight panel: what going to the newest release Shipshape knows
//! meets. Everything shown is decided by the server.

use crate::components::status::short_time;
use leptos::prelude::*;
use shipshape_domain::preflight::{Preflight, Severity};
use shipshape_domain::trino_config::diff::{FileChange, KeyChange};
use shipshape_domain::trino_config::panel::{ConfigPanel, PushedView};

#[component]
pub fn ConfigPanelView(panel: ConfigPanel) -> impl IntoView {
    let ConfigPanel {
        pushed,
        would_verify,
        snippet,
        preflight,
    } = panel;
    view! {
        <section class="card config-panel" id="configuration" data-testid="config-panel" aria-labelledby="configuration-title">
            <h2 id="configuration-title">"Configuration"</h2>
            {match pushed {
                Some(p) => view! { <Pushed pushed=p/> }.into_any(),
                None => view! {
                    <p data-testid="config-not-pushed">
                        "No configuration pushed yet. Pushing the cluster's "
                        <code>"config.properties"</code>", "<code>"jvm.config"</code>
                        " and catalog files (secret values are redacted before anything is stored) lets Shipshape verify: "
                        {would_verify.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>().join(", ")}
                        ", and stand in where a live check cannot decide."
                    </p>
                    <p class="muted">"In the CI job of the repository that holds the configuration, with an SRE's API token:"</p>
                    <pre class="snippet" data-testid="config-snippet"><code>{snippet}</code></pre>
                }.into_any(),
            }}
        </section>
        <PreflightView preflight/>
    }
}

#[component]
fn Pushed(pushed: PushedView) -> impl IntoView {
    let PushedView {
        seq,
        at,
        actor,
        source,
        files,
        changes,
        first,
    } = pushed;
    let from = (!source.is_empty()).then(|| format!(" from {source}"));
    view! {
        <p data-testid="config-pushed">
            "Pushed " {short_time(&at)} " by " {actor} {from}
            <span class="muted">{format!(" · ledger row #{seq} · {} file{}", files.len(), if files.len() == 1 { "" } else { "s" })}</span>
        </p>
        <details>
            <summary>"Files and their SHA-256"</summary>
            <div class="table-wrap"><table class="table config-files">
                <thead><tr><th scope="col">"File"</th><th scope="col">"Lines"</th><th scope="col">"SHA-256 (as stored)"</th></tr></thead>
                <tbody>
                    {files.into_iter().map(|f| view! {
                        <tr><td><code>{f.name}</code></td><td>{f.lines}</td><td><code class="sha">{f.sha256}</code></td></tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </details>
        {if first {
            view! { <p class="muted">"The cluster's first push."</p> }.into_any()
        } else if changes.is_empty() {
            view! { <p class="muted">"No key changed since the push before (comments or secret values only)."</p> }.into_any()
        } else {
            view! {
                <h3>"Changes since the push before"</h3>
                <ul class="config-diff" data-testid="config-diff">
                    {changes.into_iter().map(|c| view! { <FileChangeLine change=c/> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn FileChangeLine(change: FileChange) -> impl IntoView {
    match change {
        FileChange::Added { name, keys } => view! {
            <li><span class="badge state-done">"added"</span> " " <code>{name}</code>
                <span class="muted">{format!(" ({keys} key{})", if keys == 1 { "" } else { "s" })}</span></li>
        }
        .into_any(),
        FileChange::Removed { name } => view! {
            <li><span class="badge state-regressed">"removed"</span> " " <code>{name}</code></li>
        }
        .into_any(),
        FileChange::Changed { name, keys } => view! {
            <li><code>{name}</code>
                <ul>{keys.into_iter().map(|k| view! { <KeyChangeLine change=k/> }).collect_view()}</ul>
            </li>
        }
        .into_any(),
    }
}

#[component]
fn KeyChangeLine(change: KeyChange) -> impl IntoView {
    let KeyChange {
        key,
        before,
        after,
        line,
    } = change;
    let text = match (before, after) {
        (Some(b), Some(a)) => format!("{b} → {a}"),
        (None, Some(a)) if a.is_empty() => "added".to_string(),
        (None, Some(a)) => format!("added: {a}"),
        (Some(_), None) => "removed".to_string(),
        (None, None) => String::new(),
    };
    view! { <li><code>{key}</code> " " {text} <span class="muted">{format!(" (line {line})")}</span></li> }
}

#[component]
fn PreflightView(preflight: Result<Preflight, String>) -> impl IntoView {
    let body = match preflight {
        Err(why) => view! { <p class="muted">{why}</p> }.into_any(),
        Ok(p) => {
            let blockers = p.blockers().count();
            let warnings = p.warnings().count();
            let from = p
                .from
                .map(|f| format!("Trino {f}"))
                .unwrap_or_else(|| "the running release (unknown)".into());
            let verdict = if p.ready() {
                view! { <span class="badge state-done">"ready"</span> }.into_any()
            } else {
                view! { <span class="badge state-regressed">{format!("{blockers} blocker{}", if blockers == 1 { "" } else { "s" })}</span> }.into_any()
            };
            view! {
                <p data-testid="preflight-summary">
                    {format!("From {from} to Trino {}: ", p.to)} {verdict}
                    {(warnings > 0).then(|| format!(" and {warnings} warning{}", if warnings == 1 { "" } else { "s" }))}
                </p>
                {(!p.findings.is_empty()).then(|| view! {
                    <ul class="preflight-findings">
                        {p.findings.into_iter().map(|f| {
                            let (class, word) = match f.severity {
                                Severity::Blocker => ("badge state-regressed", "blocker"),
                                Severity::Warning => ("badge state-open", "warning"),
                            };
                            let at = f.at.map(|a| format!(" ({a})"));
                            view! {
                                <li><span class=class>{word}</span> " " {format!("Trino {}: ", f.release)} <code>{f.subject}</code> " " {f.what} {at}
                                    <br/><span class="muted">"Fix: " {f.fix}</span></li>
                            }
                        }).collect_view()}
                    </ul>
                })}
                {(!p.unknowns.is_empty()).then(|| view! {
                    <ul class="muted">{p.unknowns.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}</ul>
                })}
            }
            .into_any()
        }
    };
    view! {
        <section class="card preflight-panel" id="preflight" data-testid="preflight-panel" aria-labelledby="preflight-title">
            <h2 id="preflight-title">"Upgrade preflight"</h2>
            {body}
        </section>
    }
}
