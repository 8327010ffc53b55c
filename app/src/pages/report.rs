//! The printable readiness report of one cluster: every item's standing, who
//! signed it when, the evidence files of that sign-off, and the waivers.
//! Print CSS (`@media print` in style/main.css) drops the navigation and keeps
//! rows whole across pages.

use crate::api::report::readiness_report;
use crate::components::session::RequireUser;
use crate::components::status::short_time;
use leptos::prelude::*;
use leptos_meta::Title;
use shipshape_domain::item_line::{item_line, section_label};
use shipshape_domain::report::ClusterReport;

#[component]
pub fn ReportPage() -> impl IntoView {
    let id = super::id_param();
    let report = Resource::new(id, readiness_report);
    view! {
        <RequireUser let:_viewer>{view! {
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(r) => view! { <Report r/> }.into_any(),
                        Err(e) => view! { <Title text="Report"/><p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        }}</RequireUser>
    }
}

#[component]
fn Report(r: ClusterReport) -> impl IntoView {
    let ClusterReport {
        cluster,
        checklist,
        evidence,
        waivers,
        verdict_changes,
        generated_at,
        generated_by,
        ledger_head,
    } = r;
    let o = checklist.overall;
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <Title text=format!("Readiness report: {}", cluster.name)/>
        <article class="report" data-testid="report">
            <div class="page-head">
                <div>
                    <h1>"Readiness report: " {cluster.name.clone()}</h1>
                    <p class="muted">{cluster.environment.clone()} " · " {cluster.coordinator_url.clone()}</p>
                </div>
                <button type="button" class="no-print" on:click=print>"Print"</button>
            </div>
            <p class="muted">
                "Made " {short_time(&generated_at)} " by " {generated_by} " from "
                {checklist.runbook_title.clone()}
                {ledger_head.map(|(seq, hash)| view! { ", ledger row " {seq.get()} " (hash " <code>{hash}</code> ")" })}
                "."
            </p>
            <table class="table report-summary">
                <tbody>
                    <tr><th scope="row">"Readiness"</th><td data-testid="report-score">{o.percent_label()} " (" {o.fraction_label()} ")"</td></tr>
                    <tr><th scope="row">"Open"</th><td>{o.open()}</td></tr>
                    <tr><th scope="row">"Regressed"</th><td>{o.regressed}</td></tr>
                    <tr><th scope="row">"Expired"</th><td>{o.expired}</td></tr>
                    <tr><th scope="row">"Waived"</th><td>{o.waived}</td></tr>
                    <tr><th scope="row">"Not applicable"</th><td>{o.not_applicable}</td></tr>
                    <tr><th scope="row">"Expiring within 14 days"</th><td>{o.expiring_soon}</td></tr>
                </tbody>
            </table>
            {checklist.sections.into_iter().map(|s| view! {
                <section class="report-section">
                    <h2>{s.title.clone()} " " <span class="muted">{section_label(&s)}</span></h2>
                    <table class="table">
                        <thead><tr><th>"Item"</th><th>"State"</th><th>"Last action"</th><th>"When"</th><th>"Valid until"</th><th>"Evidence"</th><th>"Waiver"</th></tr></thead>
                        <tbody>
                            {s.items.into_iter().map(|i| {
                                let files = evidence.get(&i.id).cloned().unwrap_or_default();
                                let line = item_line(&i);
                                view! {
                                    <tr data-item=i.id.clone() data-standing=i.standing.as_str() data-state=line.key.clone()>
                                        <td>{i.title.clone()}</td>
                                        <td data-testid="report-state">{line.state.clone()}</td>
                                        <td>{line.who.as_ref().map(|w| format!("{} by {}", w.what, w.by))}</td>
                                        <td>{line.who.as_ref().map(|w| w.at.minute_text())}</td>
                                        <td>{i.expires_at.map(|t| t.minute_text()).unwrap_or_default()}</td>
                                        <td>{files.into_iter().map(|f| view! { <div>{f.name} " " <span class="muted hash">{format!("sha256 {}", f.sha256)}</span></div> }).collect_view()}</td>
                                        <td>{i.waiver.map(|w| format!("{} ({}, until {})", w.waiver.kind.label(), w.state.label().to_lowercase(), w.waiver.expires_on))}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }).collect_view()}
            <section class="report-section" data-testid="verdict-changes">
                <h2>"Live-check changes"</h2>
                {if verdict_changes.is_empty() {
                    view! { <p class="muted">"No live-check verdict has changed."</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <thead><tr><th>"When"</th><th>"Item"</th><th>"Change"</th><th>"Ledger row"</th></tr></thead>
                            <tbody>
                                {verdict_changes.into_iter().map(|v| view! {
                                    <tr>
                                        <td>{short_time(&v.at)}</td>
                                        <td>{v.item_id.to_string()}</td>
                                        <td>{v.note}</td>
                                        <td>{v.seq.get()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <section class="report-section">
                <h2>"Waivers"</h2>
                {if waivers.is_empty() {
                    view! { <p class="muted">"None requested."</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <thead><tr><th>"Item"</th><th>"Kind"</th><th>"Reason"</th><th>"Until"</th><th>"Asked by"</th><th>"State"</th><th>"Decided by"</th></tr></thead>
                            <tbody>
                                {waivers.into_iter().map(|w| view! {
                                    <tr data-waiver=w.waiver.request_seq>
                                        <td>{w.item_title}</td>
                                        <td>{w.waiver.kind.label()}</td>
                                        <td>{w.waiver.reason}</td>
                                        <td>{w.waiver.expires_on.to_string()}</td>
                                        <td>{w.waiver.requested_by} " " {w.waiver.requested_at.minute_text()}</td>
                                        <td>{w.state.label()}</td>
                                        <td>{w.waiver.decision.map(|d| format!("{} {}", d.by, d.at.minute_text()))}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </article>
    }
    .into_any()
}
